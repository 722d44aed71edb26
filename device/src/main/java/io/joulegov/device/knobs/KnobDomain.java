package io.joulegov.device.knobs;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The kinds of clock domain joulegov takes over, the files it journals for each, and how each is put back:
 * governor first (switching a devfreq governor back can reset the limits), then the limits in a safe order, then
 * what only means something under the restored governor.
 */
enum KnobDomain {

    CPUFREQ("cpufreq", List.of("scaling_governor", "scaling_min_freq", "scaling_max_freq", "scaling_setspeed")) {
        @Override
        void restore(KnobWriter writer, Path dir, Map<String, String> original) {
            writer.write(dir.resolve("scaling_governor"), original.get("scaling_governor"));
            writer.writeLimits(dir.resolve("scaling_min_freq"), dir.resolve("scaling_max_freq"),
                    Long.parseLong(original.get("scaling_min_freq")), Long.parseLong(original.get("scaling_max_freq")));
            String setspeed = original.get("scaling_setspeed");
            // outside the userspace governor the kernel shows "<unsupported>" and refuses writes
            if ("userspace".equals(original.get("scaling_governor")) && setspeed != null && isNumber(setspeed)) {
                writer.write(dir.resolve("scaling_setspeed"), setspeed);
            }
        }
    },

    DEVFREQ("devfreq", List.of("governor", "min_freq", "max_freq")) {
        @Override
        void restore(KnobWriter writer, Path dir, Map<String, String> original) {
            writer.write(dir.resolve("governor"), original.get("governor"));
            writer.writeLimits(dir.resolve("min_freq"), dir.resolve("max_freq"),
                    Long.parseLong(original.get("min_freq")), Long.parseLong(original.get("max_freq")));
        }
    },

    EMC_BPMP("emc-bpmp", List.of("mrq_rate_locked", "rate")) {
        @Override
        void restore(KnobWriter writer, Path dir, Map<String, String> original) {
            writer.write(dir.resolve("rate"), original.get("rate"));
            writer.write(dir.resolve("mrq_rate_locked"), original.get("mrq_rate_locked"));
        }
    },

    EMC_T210("emc-t210", List.of("clk_state", "clk_update_rate")) {
        @Override
        void restore(KnobWriter writer, Path dir, Map<String, String> original) {
            writer.write(dir.resolve("clk_update_rate"), original.get("clk_update_rate"));
            writer.write(dir.resolve("clk_state"), original.get("clk_state"));
        }
    };

    private final String label;
    private final List<String> files;

    KnobDomain(String label, List<String> files) {
        this.label = label;
        this.files = files;
    }

    String label() {
        return label;
    }

    /** The files journaled for this domain (an absent optional file, such as scaling_setspeed, is skipped). */
    List<String> files() {
        return files;
    }

    /** The files without which {@link #restore} cannot work. */
    List<String> requiredFiles() {
        return this == CPUFREQ ? files.subList(0, 3) : files;
    }

    abstract void restore(KnobWriter writer, Path dir, Map<String, String> original);

    static KnobDomain of(String label) {
        for (KnobDomain d : values()) {
            if (d.label.equals(label)) {
                return d;
            }
        }
        return null;
    }

    static boolean isNumber(String s) {
        return s.matches("\\d+");
    }
}
