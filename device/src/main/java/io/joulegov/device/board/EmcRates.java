package io.joulegov.device.board;

import io.joulegov.device.DeviceException;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads an EMC rate table as the kernels print it, in Hz. Three shapes exist:
 * <ul>
 *   <li>BPMP {@code possible_rates} (T186/T194/T234): one line of rates, in Hz, or in kHz followed by
 *       {@code (kHz)};</li>
 *   <li>T210 {@code tegra_emc/stats}: a {@code rate kHz time} header, one {@code <rate> <time>} row per table entry
 *       (kHz in newer L4T 32 kernels, Hz in older ones under the same header), then {@code transitions:} and
 *       {@code time-stamp:} lines;</li>
 *   <li>mainline {@code emc/available_rates}: one line of rates in Hz.</li>
 * </ul>
 * No EMC runs below 10 MHz, so a rate under 10,000,000 is taken as kHz whatever the header says.
 */
final class EmcRates {

    private static final long KHZ_BELOW = 10_000_000L;

    private EmcRates() {
    }

    static List<Long> parse(String text, String file) {
        TreeSet<Long> hz = new TreeSet<>();
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words[0].isEmpty() || words[0].endsWith(":") || words[0].equals("rate")) {
                continue; // stats' header and its transitions: / time-stamp: lines
            }
            boolean statsRow = words.length == 2 && file.endsWith("stats");
            for (String word : statsRow ? new String[] {words[0]} : words) {
                if (word.equals("(kHz)")) {
                    continue;
                }
                try {
                    long v = Long.parseLong(word);
                    hz.add(v < KHZ_BELOW ? v * 1000 : v);
                } catch (NumberFormatException e) {
                    throw new DeviceException("unexpected EMC rate '" + word + "' in " + file);
                }
            }
        }
        return new ArrayList<>(hz);
    }
}
