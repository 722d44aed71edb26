package io.joulegov.cli;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The joulegov processes a test started ({@link JoulegovProcess}), killed after it whatever its outcome, so that no
 * simulated board or daemon outlives the test that needed it. Register with {@code @RegisterExtension}.
 */
final class ChildProcesses implements AfterEachCallback {

    private final List<Process> started = new ArrayList<>();

    /** Keeps {@code p} to be killed after the test; returns it. */
    Process add(Process p) {
        started.add(p);
        return p;
    }

    /** How many were started. */
    int count() {
        return started.size();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(Process::destroyForcibly);
        started.clear();
    }
}
