package io.joulegov.client.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Duration;
import java.util.List;

/**
 * What the control socket answers, one JSON object per request (see {@link ControlProtocol#reply}): every reply
 * starts with {@code "ok"}; a refusal carries {@code "error"}.
 */
public sealed interface ControlReply {

    /** Done; nothing to add ({@code begin}, {@code unregister}; {@code register} and {@code report} to the profiler). */
    @JsonPropertyOrder({"ok"})
    record Done(boolean ok) implements ControlReply {
        public Done() {
            this(true);
        }
    }

    /**
     * A {@code report} taken: {@code reportWithinMs} asks for the model's next report within that many ms (while the
     * governor learns it, every step waits for latencies); absent, at the client's own pace.
     */
    @JsonPropertyOrder({"ok", "reportWithinMs"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Reported(boolean ok, Long reportWithinMs) implements ControlReply {
        public static Reported of(Duration within) {
            return new Reported(true, within.isZero() ? null : Math.max(1, within.toMillis()));
        }
    }

    /** The operating point held now (a {@code register}'s answer): CPU kHz, GPU Hz, EMC Hz (null: not pinned). */
    @JsonPropertyOrder({"ok", "cpuKHz", "gpuHz", "emcHz"})
    record Held(boolean ok, long cpuKHz, long gpuHz, Long emcHz) implements ControlReply {
        public Held(long cpuKHz, long gpuHz, Long emcHz) {
            this(true, cpuKHz, gpuHz, emcHz);
        }
    }

    /** The daemon's {@code status}: the board's kind, the models registered and the point held (null before one). */
    @JsonPropertyOrder({"ok", "board", "models", "held"})
    record Status(boolean ok, String board, List<String> models, Point held) implements ControlReply {
        public Status(String board, List<String> models, Point held) {
            this(true, board, List.copyOf(models), held);
        }
    }

    /** A point in a {@link Status}. */
    @JsonPropertyOrder({"cpuKHz", "gpuHz", "emcHz"})
    record Point(long cpuKHz, long gpuHz, Long emcHz) {
    }

    /** The attached profiler's {@code status}: the model it measures (null until an application registers one). */
    @JsonPropertyOrder({"ok", "profiling"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Profiling(boolean ok, String profiling) implements ControlReply {
        public Profiling(String profiling) {
            this(true, profiling);
        }
    }

    /** A refusal, in words. */
    @JsonPropertyOrder({"ok", "error"})
    record Refused(boolean ok, String error) implements ControlReply {
        public Refused(String error) {
            this(false, error);
        }
    }
}
