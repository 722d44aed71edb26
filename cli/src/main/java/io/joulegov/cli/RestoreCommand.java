package io.joulegov.cli;

import io.joulegov.device.knobs.Mismatch;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** {@code joulegov restore}: puts back every knob the journal holds and removes the journal. */
@Command(name = "restore", description = "Put back every clock setting joulegov changed (from the restore journal).")
final class RestoreCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "Filesystem root of the board (default: /).")
    Path root;

    @Option(names = "--state", paramLabel = "FILE", description = "Restore journal (default: ROOT/" + RestoreJournal.DEFAULT_LOCATION + ").")
    Path state;

    @Override
    public void run() {
        if (!Files.isDirectory(root)) {
            throw new UsageException("no such directory: " + root);
        }
        SysRoot sysRoot = SysRoot.of(root);
        Path file = state != null ? state : RestoreJournal.defaultFile(sysRoot);
        if (!Files.exists(file)) {
            spec.commandLine().getOut().println("nothing to restore: no journal at " + file);
            spec.commandLine().getOut().flush();
            return;
        }
        RestoreJournal journal = RestoreJournal.open(sysRoot, file);
        List<Mismatch> mismatches = journal.restore();
        if (!mismatches.isEmpty()) {
            throw new DeviceException("restored from " + file + ", but " + mismatches.size()
                    + " knob(s) read back differently: " + mismatches.stream().map(Mismatch::toString).collect(Collectors.joining("; ")));
        }
        spec.commandLine().getOut().println("restored the board from " + file);
        spec.commandLine().getOut().flush();
    }
}
