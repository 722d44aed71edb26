package io.joulegov.device.knobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.sysfs.AtomicFiles;
import io.joulegov.device.sysfs.SysRoot;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The original value of every knob joulegov is about to change, written atomically before the first write, so that
 * {@link #restore()} (the {@code joulegov restore} command, the service's ExecStopPost) can put the board back after
 * a stop, a crash or a kill -9. Entries already in the journal are never overwritten: after a crash they hold the
 * true originals, not joulegov's own pins.
 */
public final class RestoreJournal {

    static final int SCHEMA = 1;
    /** Where the journal lives under a root unless {@code --state} says otherwise. */
    public static final String DEFAULT_LOCATION = "var/lib/joulegov/restore.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private record Entry(KnobDomain domain, String dir, Map<String, String> files) {
    }

    private final SysRoot root;
    private final Path file;
    private final List<Entry> entries;

    private RestoreJournal(SysRoot root, Path file, List<Entry> entries) {
        this.root = root;
        this.file = file;
        this.entries = entries;
    }

    /** The journal at {@code file} for the board under {@code root}: loaded if a previous run left one. */
    public static RestoreJournal open(SysRoot root, Path file) {
        return new RestoreJournal(root, file, Files.exists(file) ? load(root, file) : new ArrayList<>());
    }

    public static Path defaultFile(SysRoot root) {
        return root.path(DEFAULT_LOCATION);
    }

    public Path file() {
        return file;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Journals a domain's current values unless it is journaled already; returns once the journal is on disk. */
    void record(KnobDomain domain, Path dir) {
        String rel = root.relative(dir);
        if (entries.stream().anyMatch(e -> e.domain == domain && e.dir.equals(rel))) {
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : domain.files()) {
            Path f = dir.resolve(name);
            if (domain.requiredFiles().contains(name)) {
                values.put(name, root.readRequired(f));
            } else {
                root.read(f).ifPresent(v -> values.put(name, v));
            }
        }
        entries.add(new Entry(domain, rel, values));
        save();
    }

    /**
     * Puts every journaled value back and removes the journal. Every domain is attempted even if one fails; then
     * the journal stays, so that a second restore can finish the job.
     *
     * @return the read-back mismatches (values the kernel did not take as written)
     */
    public List<Mismatch> restore() {
        return restore(new KnobWriter(root));
    }

    /**
     * Writes every journaled value back but keeps the journal: for a forced restore while the process that wrote it
     * still owns the board (only the owner, or a restore with no owner alive, may remove it).
     */
    public List<Mismatch> restoreKeepingJournal() {
        KnobWriter writer = new KnobWriter(root);
        writeBack(writer);
        return writer.mismatches();
    }

    List<Mismatch> restore(KnobWriter writer) {
        writeBack(writer);
        entries.clear();
        try {
            Files.deleteIfExists(file);
            removeStaleTempFiles();
        } catch (IOException ex) {
            throw new DeviceException("board restored, but cannot remove " + file + ": " + ex.getMessage(), ex);
        }
        return writer.mismatches();
    }

    /** Every journaled domain written back (each tried, whatever the others do); the journal stays as it is. */
    private void writeBack(KnobWriter writer) {
        List<String> failures = new ArrayList<>();
        for (Entry e : entries) {
            try {
                e.domain.restore(writer, root.path(e.dir), e.files);
            } catch (DeviceException ex) {
                failures.add(ex.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new DeviceException("restore incomplete, journal kept at " + file + ": " + String.join("; ", failures));
        }
    }

    /** A kill during {@link AtomicFiles#write} leaves a hidden temp file beside the journal; it is litter. */
    private void removeStaleTempFiles() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var stale = Files.newDirectoryStream(dir, "." + file.getFileName() + ".*.tmp")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void save() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("schema", SCHEMA);
        doc.put("root", root.root().toString());
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("writtenAt", Instant.now().toString());
        ArrayNode list = doc.putArray("domains");
        for (Entry e : entries) {
            ObjectNode node = list.addObject();
            node.put("kind", e.domain.label());
            node.put("dir", e.dir);
            ObjectNode files = node.putObject("files");
            e.files.forEach(files::put);
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(doc));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Entry> load(SysRoot root, Path file) {
        JsonNode doc;
        try {
            doc = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (AccessDeniedException e) {
            throw new DeviceException("permission denied reading the restore journal " + file + ": restoring clocks needs root");
        } catch (IOException e) {
            throw corrupt(file, firstLine(e.getMessage()));
        }
        if (doc == null || !doc.isObject()) {
            throw corrupt(file, "not a JSON object");
        }
        if (doc.path("schema").asInt(-1) != SCHEMA) {
            throw corrupt(file, "unknown schema " + doc.path("schema"));
        }
        String journalRoot = doc.path("root").asText("");
        if (!journalRoot.equals(root.root().toString())) {
            throw new MalformedFileException("restore journal " + file + " belongs to root " + journalRoot
                    + ", not " + root.root() + " (pass --root " + journalRoot + ")");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode node : doc.path("domains")) {
            KnobDomain domain = KnobDomain.of(node.path("kind").asText());
            String dir = node.path("dir").asText("");
            if (domain == null) {
                throw corrupt(file, "unknown domain kind " + node.path("kind"));
            }
            if (dir.isEmpty() || dir.startsWith("/") || Path.of(dir).normalize().startsWith("..")) {
                throw corrupt(file, "directory outside the root: '" + dir + "'");
            }
            Map<String, String> files = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.path("files").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!domain.files().contains(f.getKey()) || !f.getValue().isTextual()) {
                    throw corrupt(file, "unexpected entry " + f.getKey() + " for " + domain.label());
                }
                files.put(f.getKey(), f.getValue().asText());
            }
            for (String required : domain.requiredFiles()) {
                if (!files.containsKey(required)) {
                    throw corrupt(file, domain.label() + " " + dir + " lacks " + required);
                }
            }
            for (String name : List.of("scaling_min_freq", "scaling_max_freq", "min_freq", "max_freq")) {
                if (files.containsKey(name) && !KnobDomain.isNumber(files.get(name))) {
                    throw corrupt(file, name + " of " + dir + " is not a frequency: '" + files.get(name) + "'");
                }
            }
            entries.add(new Entry(domain, dir, files));
        }
        if (!doc.path("domains").isArray()) {
            throw corrupt(file, "no domains list");
        }
        return entries;
    }

    private static MalformedFileException corrupt(Path file, String why) {
        return new MalformedFileException("corrupt restore journal " + file + ": " + why
                + "; nothing was changed on the board (fix or remove the file)");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
