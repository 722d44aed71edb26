package io.joulegov.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code joulegov simulate} serving a live virtual Nano in a process of its own, as the process tests use one. */
final class LiveNano {

    private LiveNano() {
    }

    /**
     * Starts {@code joulegov simulate --board nano --root ROOT extraArgs...}, its output in {@code log}, killed after
     * the test by {@code processes}; returns once it says it serves the board: every file is laid out by then, and set
     * by the board model (which changes no knob by itself), so a snapshot of the knobs taken then is the board's own.
     */
    static Process start(ChildProcesses processes, Path root, Path log, String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("simulate", "--board", "nano", "--root", root.toString()));
        args.addAll(List.of(extraArgs));
        Process simulate = processes.add(JoulegovProcess.start(log, args.toArray(String[]::new)));
        Await.until(() -> Files.readString(log).contains("serving a virtual"),
                () -> "the board is served; simulate said: " + Files.readString(log));
        return simulate;
    }
}
