package io.joulegov.device.board;

import io.joulegov.device.sysfs.SysRoot;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which board this is: a kind joulegov knows ({@code jetson-nano}, ...; {@code generic-linux} otherwise), the
 * device-tree model string, the L4T release, the nvpmodel power mode and the device-tree serial number (which unit
 * of its kind), each null where the board does not say.
 */
public record BoardIdentity(String kind, String model, String l4t, Integer powerMode, String serial) {

    public static final String GENERIC = "generic-linux";

    private static final Pattern RELEASE = Pattern.compile("#\\s*R(\\d+)\\s*\\(release\\),\\s*REVISION:\\s*(\\d+)\\.(\\d+)");
    private static final Pattern PMODE = Pattern.compile("pmode:\\s*(\\d+)");

    static BoardIdentity read(SysRoot root) {
        String model = root.read(root.path("proc/device-tree/model")).filter(s -> !s.isEmpty()).orElse(null);
        String compatible = root.read(root.path("proc/device-tree/compatible")).orElse("");
        String l4t = root.read(root.path("etc/nv_tegra_release")).map(BoardIdentity::parseRelease).orElse(null);
        Integer powerMode = root.read(root.path("var/lib/nvpmodel/status")).map(BoardIdentity::parsePowerMode).orElse(null);
        String serial = root.read(root.path("proc/device-tree/serial-number")).filter(t -> !t.isEmpty()).orElse(null);
        return new BoardIdentity(kindOf(model, compatible), model, l4t, powerMode, serial);
    }

    /** "# R32 (release), REVISION: 7.1, ..." is L4T 32.7.1. */
    static String parseRelease(String text) {
        Matcher m = RELEASE.matcher(text);
        return m.find() ? m.group(1) + "." + m.group(2) + "." + m.group(3) : null;
    }

    static Integer parsePowerMode(String text) {
        Matcher m = PMODE.matcher(text);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    static String kindOf(String model, String compatible) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        String c = compatible.toLowerCase(Locale.ROOT);
        if (m.contains("orin nano") || c.matches(".*nvidia,p3767-000[345].*")) {
            return "jetson-orin-nano";
        }
        if (m.contains("orin nx") || c.contains("nvidia,p3767")) {
            return "jetson-orin-nx";
        }
        if (m.contains("orin") || c.contains("nvidia,p3701")) {
            return "jetson-agx-orin";
        }
        if (m.contains("xavier nx") || c.contains("nvidia,p3668")) {
            return "jetson-xavier-nx";
        }
        if (m.contains("xavier") || m.contains("jetson-agx") || c.contains("nvidia,p2888")) {
            return "jetson-agx-xavier";
        }
        if (m.contains("tx2") || m.contains("quill") || c.contains("nvidia,p3310") || c.contains("nvidia,p3489")) {
            return "jetson-tx2";
        }
        if ((m.contains("jetson") && m.contains("nano")) || c.contains("nvidia,p3450")) {
            return "jetson-nano";
        }
        return GENERIC;
    }
}
