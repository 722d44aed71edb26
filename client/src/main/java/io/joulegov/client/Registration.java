package io.joulegov.client;

import io.joulegov.client.protocol.ControlProtocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an application tells the daemon about a model it runs: name, hash of its weights (or empty for any profile of
 * the model), batch, budget (a deadline in ms or a slowdown over the fastest point) and the percentile it holds.
 */
public record Registration(String model, String hash, int batch, Double budgetMs, Double slowdown, String percentile) {

    public Registration {
        if ((budgetMs == null) == (slowdown == null)) {
            throw new IllegalArgumentException("a registration needs exactly one of a budget in ms and a slowdown");
        }
        hash = hash == null ? "" : hash.replaceFirst("^sha256:", "");
    }

    /** The register request of the control protocol (README, "The control socket"). */
    public String toRequest() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("op", "register");
        doc.put("model", model);
        if (!hash.isEmpty()) {
            doc.put("hash", hash);
        }
        doc.put("batch", batch);
        if (budgetMs != null) {
            doc.put("budgetMs", budgetMs);
        } else {
            doc.put("slowdown", slowdown);
        }
        doc.put("percentile", percentile);
        return ControlProtocol.request(doc);
    }
}
