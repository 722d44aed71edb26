package io.joulegov.cli;

import io.joulegov.device.DeviceException;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.store.ProfileCsv;
import io.joulegov.profiler.store.ProfileStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** {@code joulegov import}: a profile from a CSV of measurements made elsewhere. */
@Command(name = "import", description = "Make a profile from a CSV (" + ProfileCsv.HEADER + ").")
final class ImportCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "The measurements.")
    Path csv;

    @Option(names = "--board", required = true, paramLabel = "NAME", description = "The board they were taken on (jetson-nano, ...).")
    String board;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model they are of.")
    String model;

    @Option(names = "--cache", paramLabel = "DIR", description = "The models-cache to write to (default: $JOULEGOV_CACHE, else ./models-cache).")
    Path cache;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the profile here instead of into the cache.")
    Path out;

    @Override
    public void run() {
        if (cache != null && out != null) {
            throw new UsageException("--cache and --out exclude each other");
        }
        if (board.isBlank() || model.isBlank()) {
            throw new UsageException("--board and --model must not be empty");
        }
        byte[] bytes;
        try {
            if (Files.size(csv) > ProfileStore.MAX_BYTES) {
                throw new UsageException(csv + " is larger than any profile can be");
            }
            bytes = Files.readAllBytes(csv);
        } catch (NoSuchFileException e) {
            throw new UsageException("no such file: " + csv);
        } catch (IOException e) {
            throw new DeviceException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        List<Measurement> rows = ProfileCsv.parse(new String(bytes, StandardCharsets.UTF_8), csv.toString());
        List<Long> emc = rows.stream().map(m -> m.point().emcHz()).filter(Objects::nonNull).distinct().sorted().toList();
        ProfileKey key = new ProfileKey(board, null, null, null,
                rows.stream().map(m -> m.point().cpuKHz()).distinct().sorted().toList(),
                rows.stream().map(m -> m.point().gpuHz()).distinct().sorted().toList(), emc,
                model, ProfileStore.sha256(bytes), 1, List.of(), "unknown", 0, 0, 0, 0, 0, ProfileKey.IMPORTED);
        ProfileTable table = new ProfileTable(key, rows);
        Path written;
        if (out != null) {
            ProfileStore.write(table, out);
            written = out;
        } else {
            written = ProfileStore.locate(cache, null).save(table);
        }
        spec.commandLine().getOut().println("imported " + rows.size() + " points into " + written);
        spec.commandLine().getOut().flush();
    }
}
