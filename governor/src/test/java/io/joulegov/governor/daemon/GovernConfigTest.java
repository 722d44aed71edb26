package io.joulegov.governor.daemon;

import io.joulegov.device.MalformedFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GovernConfigTest {

    @TempDir
    Path tmp;

    @Test
    void theShippedConfigurationReads() throws Exception {
        GovernConfig c = GovernConfig.read(Path.of("..", "systemd", "joulegov.conf"));
        assertEquals("/run/joulegov/joulegov.sock", c.get("socket"));
        assertEquals(9464, c.integer("metrics-port", 0, 65535, null));
    }

    @Test
    void modelsRepeatWithTheirBudgets() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.conf"), """
                # two models
                model = resnet18 slowdown=1.3            # p95 by default
                model = bert-tiny budget-ms=4 percentile=p99 batch=8
                sample-ms = 50
                """);
        GovernConfig c = GovernConfig.read(f);
        assertEquals(List.of(new GovernConfig.ModelLine("resnet18", 1.3, null, "p95", 1),
                new GovernConfig.ModelLine("bert-tiny", null, 4.0, "p99", 8)), c.models());
        assertEquals(50, c.integer("sample-ms", 10, 1000, f));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "socket /run/x.sock                 | line 1: expected 'key = value'",
            "sokcet = /run/x.sock               | line 1: unknown key 'sokcet'",
            "socket =                           | line 1: socket has no value",
            "metrics-port = 99999               | metrics-port must be a whole number from 0 to 65535",
            "sample-ms = fast                   | sample-ms must be a whole number from 10 to 1000",
            "allow-virtual-profiles = yes       | allow-virtual-profiles is true or false",
            "model = resnet18                   | line 1: model resnet18 needs exactly one of slowdown= and budget-ms=",
            "model = resnet18 slowdown=-1       | line 1: slowdown must be a positive number",
            "model = resnet18 slowdown=1.3 percentile=p90 | line 1: percentile is mean, p50, p95 or p99",
            "model = resnet18 speed=3           | line 1: unknown model setting 'speed'",
            "model = ../etc/passwd slowdown=1.3 | line 1: model name '../etc/passwd' is not"})
    void badLinesAreNamedByNumber(String line, String message) throws Exception {
        Path f = Files.writeString(tmp.resolve("bad.conf"), line + "\n");
        var e = assertThrows(MalformedFileException.class, () -> GovernConfig.read(f));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceOrAHugeOrBinaryFileIsRefused() throws Exception {
        Path twice = Files.writeString(tmp.resolve("twice.conf"), "socket = /a\nsocket = /b\n");
        assertTrue(assertThrows(MalformedFileException.class, () -> GovernConfig.read(twice)).getMessage().contains("line 2: socket is given twice"));
        Path huge = Files.write(tmp.resolve("huge.conf"), new byte[100_000]);
        assertTrue(assertThrows(MalformedFileException.class, () -> GovernConfig.read(huge)).getMessage().contains("over 64 KiB"));
        Path binary = Files.write(tmp.resolve("binary.conf"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertTrue(assertThrows(MalformedFileException.class, () -> GovernConfig.read(binary)).getMessage().contains("not UTF-8"));
        assertTrue(assertThrows(MalformedFileException.class, () -> GovernConfig.read(tmp.resolve("none.conf"))).getMessage()
                .contains("cannot read the configuration"));
    }
}
