package io.joulegov.governor.wrapper;

import io.joulegov.governor.client.Registration;
import io.joulegov.governor.client.Transport;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A governor inside the application's process: the same daemon, called directly, started on first registration. */
final class InProcessTransport implements Transport {

    private final GovernDaemon daemon;
    private boolean started;

    InProcessTransport(GovernDaemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public void register(Registration r) throws IOException {
        try {
            if (!started) {
                daemon.start(null);
                started = true;
            }
            Budget budget = r.budgetMs() != null ? new Budget.Millis(r.budgetMs()) : new Budget.Slowdown(r.slowdown());
            daemon.register(r.model(), r.hash(), r.batch(), budget, Percentile.parse(r.percentile()));
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void begin(String model) throws IOException {
        try {
            daemon.begin(model);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void report(String model, double[] latenciesMs, int count) throws IOException {
        List<Double> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(latenciesMs[i]);
        }
        try {
            daemon.report(model, list);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void disconnect() {
        // nothing to reconnect: the governor lives as long as the predictor
    }

    @Override
    public void close() {
        daemon.close();
    }
}
