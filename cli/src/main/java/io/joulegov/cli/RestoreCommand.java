package io.joulegov.cli;

import io.joulegov.device.knobs.BoardOwner;
import io.joulegov.device.knobs.Mismatch;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.daemon.GovernConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** {@code joulegov restore}: puts back every knob the journal holds and removes the journal. */
@Command(name = "restore", description = "Put back every clock setting joulegov changed (from the restore journal).")
final class RestoreCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", description = "Filesystem root of the board (default: root in --config, else /).")
    Path root;

    @Option(names = "--state", paramLabel = "FILE", description = "Restore journal (default: state in --config, else ROOT/" + RestoreJournal.DEFAULT_LOCATION + ").")
    Path state;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Take root and state from the daemon's configuration file (the service's ExecStopPost uses /etc/joulegov/joulegov.conf); options given here win.")
    Path config;

    @Option(names = "--force", description = "Restore even while a joulegov process owns the board (its journal stays for it).")
    boolean force;

    @Override
    public void run() {
        // the same parser as govern --config: a missing or malformed file is a one-line error, exit 2
        GovernConfig conf = config == null ? GovernConfig.empty() : GovernConfig.read(config);
        Path rootDir = root != null ? root : conf.get("root") != null ? Path.of(conf.get("root")) : Path.of("/");
        if (!Files.isDirectory(rootDir)) {
            throw new UsageException("no such directory: " + rootDir + (root == null && config != null ? " (root in " + config + ")" : ""));
        }
        SysRoot sysRoot = SysRoot.of(rootDir);
        Path file = state != null ? state : conf.get("state") != null ? Path.of(conf.get("state")) : RestoreJournal.defaultFile(sysRoot);
        if (!Files.exists(file)) {
            spec.commandLine().getOut().println("nothing to restore: no journal at " + file);
            spec.commandLine().getOut().flush();
            return;
        }
        Optional<String> owner = BoardOwner.holder(sysRoot);
        if (owner.isPresent() && !force) {
            throw new DeviceException("the board is owned by a running joulegov process (" + owner.get()
                    + "): it restores the board itself when it stops; stop it, or restore now with --force");
        }
        RestoreJournal journal = RestoreJournal.open(sysRoot, file);
        // only the owner that wrote the journal, or a restore with no owner alive, removes it
        List<Mismatch> mismatches = owner.isPresent() ? journal.restoreKeepingJournal() : journal.restore();
        if (!mismatches.isEmpty()) {
            throw new DeviceException("restored from " + file + ", but " + mismatches.size()
                    + " knob(s) read back differently: " + mismatches.stream().map(Mismatch::toString).collect(Collectors.joining("; ")));
        }
        spec.commandLine().getOut().println("restored the board from " + file
                + (owner.isPresent() ? " (forced; the journal stays for the process that owns the board)" : ""));
        spec.commandLine().getOut().flush();
    }
}
