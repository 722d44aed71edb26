package io.joulegov.device.board;

import java.util.Locale;

/** What a power rail measures. Only {@link #TOTAL} is the energy that counts; the rest explain it. */
public enum RailRole {
    TOTAL("total"), CPU("cpu"), GPU("gpu"), CPU_GPU("cpu-gpu"), SOC("soc"), OTHER("other");

    private final String label;

    RailRole(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The role of a rail by the names NVIDIA gives them ({@code POM_5V_IN}, {@code VDD_CPU_GPU_CV}, ...). */
    public static RailRole ofInaRail(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.equals("POM_5V_IN") || n.equals("VDD_IN")) {
            return TOTAL;
        }
        boolean cpu = n.contains("CPU");
        boolean gpu = n.contains("GPU");
        if (cpu && gpu) {
            return CPU_GPU;
        }
        if (gpu) {
            return GPU;
        }
        if (cpu) {
            return CPU;
        }
        if (n.contains("SOC")) {
            return SOC;
        }
        return OTHER;
    }
}
