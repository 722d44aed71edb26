package io.joulegov.device.knobs;

/** A knob that read back something other than what was written: the kernel clamped or refused it. */
public record Mismatch(String file, String wrote, String readBack) {

    @Override
    public String toString() {
        return file + ": wrote " + wrote + ", reads back " + readBack;
    }
}
