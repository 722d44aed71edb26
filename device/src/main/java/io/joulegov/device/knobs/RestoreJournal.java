package io.joulegov.device.knobs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.device.sysfs.AtomicFiles;
import io.joulegov.device.sysfs.SysRoot;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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

    /** The journal's file: what one process writes and another (restore, the next daemon) reads. */
    @JsonPropertyOrder({"schema", "root", "pid", "writtenAt", "domains"})
    private record Document(int schema, String root, long pid, String writtenAt, List<Domain> domains) {
    }

    /** One domain's files as they were before joulegov wrote them. */
    @JsonPropertyOrder({"kind", "dir", "files"})
    private record Domain(String kind, String dir, Map<String, String> files) {
    }

    private void save() {
        List<Domain> domains = new ArrayList<>();
        for (Entry e : entries) {
            domains.add(new Domain(e.domain.label(), e.dir, e.files));
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(new Document(SCHEMA, root.root().toString(),
                    ProcessHandle.current().pid(), Instant.now().toString(), domains)));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Entry> load(SysRoot root, Path file) {
        Document doc;
        try {
            doc = JSON.readValue(Files.readAllBytes(file), Document.class);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (AccessDeniedException e) {
            throw new DeviceException("permission denied reading the restore journal " + file + ": restoring clocks needs root");
        } catch (IOException e) {
            throw corrupt(file, firstLine(e.getMessage()));
        }
        if (doc == null) {
            throw corrupt(file, "not a JSON object");
        }
        if (doc.schema() != SCHEMA) {
            throw corrupt(file, "unknown schema " + doc.schema());
        }
        String journalRoot = doc.root() == null ? "" : doc.root();
        if (!journalRoot.equals(root.root().toString())) {
            throw new RefusedException("restore journal " + file + " belongs to root " + journalRoot
                    + ", not " + root.root() + " (pass --root " + journalRoot + ")");
        }
        if (doc.domains() == null) {
            throw corrupt(file, "no domains list");
        }
        List<Entry> entries = new ArrayList<>();
        for (Domain node : doc.domains()) {
            KnobDomain domain = node == null ? null : KnobDomain.of(node.kind());
            if (domain == null) {
                throw corrupt(file, "unknown domain kind " + (node == null ? null : node.kind()));
            }
            String dir = node.dir() == null ? "" : node.dir();
            if (dir.isEmpty() || dir.startsWith("/") || Path.of(dir).normalize().startsWith("..")) {
                throw corrupt(file, "directory outside the root: '" + dir + "'");
            }
            Map<String, String> files = new LinkedHashMap<>();
            for (Map.Entry<String, String> f : (node.files() == null ? Map.<String, String>of() : node.files()).entrySet()) {
                if (!domain.files().contains(f.getKey()) || f.getValue() == null) {
                    throw corrupt(file, "unexpected entry " + f.getKey() + " for " + domain.label());
                }
                files.put(f.getKey(), f.getValue());
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
