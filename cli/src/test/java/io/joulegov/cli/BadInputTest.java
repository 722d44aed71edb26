package io.joulegov.cli;

import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.knobs.BoardOwner;
import io.joulegov.device.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input table: every row is a command a user could type, with a bad argument, configuration, profile or CSV
 * file. Each gets a one-line error naming the problem, the documented exit code (2 usage or malformed input, 3
 * infeasible, 1 anything else), and leaves the board (a Nano JetPack 4 tree), its models-cache and the input files
 * exactly as they were. Socket frames are the ControlServerTest's table; configuration lines GovernConfigTest's.
 */
class BadInputTest {

    @TempDir
    static Path tmp;

    private static Path root;
    private static Path inputs;
    private static Map<String, String> boardBefore;
    private static Map<String, String> inputsBefore;

    @BeforeAll
    static void boardProfileAndBadFiles() throws Exception {
        root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        Path cache = root.resolve("var/lib/joulegov/models-cache");
        ImportedProfile.resnet18Into(cache, Files.createDirectories(tmp.resolve("scratch")));
        Path good;
        try (Stream<Path> files = Files.walk(cache)) {
            good = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        inputs = Files.createDirectories(tmp.resolve("inputs"));
        String json = Files.readString(good);
        Files.copy(good, inputs.resolve("good.json"));
        Files.writeString(inputs.resolve("truncated.json"), json.substring(0, json.length() / 2));
        Files.writeString(inputs.resolve("schema9.json"), json.replaceFirst("\"schema\" : 2", "\"schema\" : 9"));
        Files.writeString(inputs.resolve("nan.json"), json.replaceFirst("\"meanMs\" : [0-9.E-]+", "\"meanMs\" : \"NaN\""));
        Files.writeString(inputs.resolve("negative.json"), json.replaceFirst("\"energyJ\" : [0-9.E-]+", "\"energyJ\" : -1.0"));
        Files.writeString(inputs.resolve("empty.json"), "");
        Files.writeString(inputs.resolve("array.json"), "[1, 2, 3]");
        int firstRow = json.indexOf("{", json.indexOf("\"rows\""));
        int rowEnd = json.indexOf("}", firstRow) + 1;
        Files.writeString(inputs.resolve("dup.json"), json.substring(0, rowEnd) + ", " + json.substring(firstRow));
        Path wrongBoard = Files.createDirectories(tmp.resolve("wrongboard/jetson-nano")).resolve(good.getFileName());
        Files.writeString(wrongBoard, json.replaceFirst("\"board\" : \"jetson-nano\"", "\"board\" : \"jetson-xavier-nx\""));
        Files.writeString(inputs.resolve("latencyonly.json"), json.replaceAll("\"(energyJ|powerW)\" : [0-9.E-]+", "\"$1\" : null"));
        Files.copy(tmp.resolve("scratch/virtual.json"),
                Files.createDirectories(tmp.resolve("virtualcache/jetson-nano")).resolve("resnet18-b1-virtual.json"));
        Files.writeString(inputs.resolve("garbage.pt"), "not a model");
        Files.writeString(inputs.resolve("bad.conf"), "socket = /tmp/x.sock\nsokcet = /tmp/y.sock\n");
        Files.writeString(inputs.resolve("corrupt-journal.json"), "{\"version\": 1, \"entries\": [");
        Files.writeString(inputs.resolve("nocols.csv"), "cpu_khz,gpu_hz,mean_ms\n102000,76800000,300\n");
        Files.writeString(inputs.resolve("badnum.csv"), "cpu_khz,gpu_hz,mean_ms,energy_j\n102000,76800000,fast,1.5\n");
        Files.writeString(inputs.resolve("negative.csv"), "cpu_khz,gpu_hz,mean_ms,energy_j\n102000,76800000,300,-1.5\n");
        Files.writeString(inputs.resolve("headeronly.csv"), "cpu_khz,gpu_hz,mean_ms,energy_j\n");
        Files.write(inputs.resolve("binary.csv"), new byte[] {0, (byte) 0xff, 0x13, 0x37, '\n', 0});
        Path huge = Files.createDirectories(tmp.resolve("huge")).resolve("huge.json");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(65L << 20); // sparse: 65 MB that take no disk
        }
        // the board's owner lock as any earlier joulegov left it: empty once no process holds it
        Files.createDirectories(root.resolve("var/lib/joulegov"));
        Files.writeString(root.resolve(BoardOwner.LOCATION), "");
        boardBefore = TreeSnapshot.of(root);
        inputsBefore = TreeSnapshot.of(inputs);
    }

    @AfterAll
    static void nothingWasTouched() {
        assertEquals(boardBefore, TreeSnapshot.of(root));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            frobnicate                                                                   | 2 | frobnicate
            profile --virtual nano                                                       | 2 | --model
            profile --virtual nano --model resnet18 --grid half                          | 2 | --grid is full or sparse
            profile --virtual nano --model resnet18 --inferences 0                       | 2 | must be at least 1
            profile --virtual nano --model resnet18 --sample-ms 5                        | 2 | between 10 and 1000
            profile --virtual pi4 --model resnet18                                       | 2 | pi4
            profile --root ROOT --virtual nano --model resnet18                          | 2 | are mutually exclusive
            profile --virtual nano --model vgg19 --out TMP/x.json                        | 2 | unknown model 'vgg19'
            profile --root ROOT --model vgg19 --cache CACHE                              | 2 | unknown model 'vgg19'
            profile --root ROOT --model IN/garbage.pt --input-shape 1,3,8,8 --cache CACHE | 2 | is not a TorchScript model
            profile --root ROOT --model IN/garbage.pt --input-shape 1,0,8                | 2 | positive dimensions
            profile --root ROOT --model resnet18 --input-shape 1,3,8,8                   | 2 | is for TorchScript files
            profile --root ROOT --model IN/garbage.pt --cache CACHE                      | 2 | needs --input-shape
            recommend --profile IN/none.json --slowdown 1.3                              | 2 | none.json
            recommend --profile IN/good.json --slowdown 0                                | 2 | slowdown
            recommend --profile IN/good.json --slowdown -1                               | 2 | slowdown
            recommend --profile IN/good.json --budget-ms 10 --slowdown 1.2               | 2 | --budget-ms=X, --slowdown=F are mutually exclusive
            recommend --profile IN/good.json --slowdown 1.3 --percentile p90             | 2 | p90
            recommend --profile IN/good.json --slowdown 1.3 --policy cheapest            | 2 | cheapest
            recommend --profile IN/good.json --slowdown 1.3 --policy zeus --eta 2        | 2 | --eta: Zeus's eta must be between 0 and 1
            recommend --profile IN/good.json --slowdown 1.3 --policy power-cap           | 2 | --watts: power-cap needs a cap in watts
            show IN/good.json --plot TMP/plot --budget-ms -1                             | 2 | --budget-ms: a budget must be a positive number
            recommend --profile IN/good.json --budget-ms 0.001                           | 3 | no operating point meets
            recommend --profile IN/truncated.json --slowdown 1.3                         | 2 | malformed profile
            recommend --profile IN/latencyonly.json --slowdown 1.3                       | 2 | has latency only
            show IN/schema9.json                                                         | 2 | schema 9 is not a supported schema (1 to 2)
            show IN/nan.json                                                             | 2 | malformed profile
            show IN/negative.json                                                        | 2 | energy_j is -1.0
            show IN/empty.json                                                           | 2 | malformed profile
            show IN/array.json                                                           | 2 | malformed profile
            show IN/dup.json                                                             | 2 | two rows for
            show HUGE                                                                    | 2 | more than any profile can be
            govern --root ROOT --model resnet18 --budget-ms 0.001 --metrics-port 0 --duration 1 | 3 | no operating point meets
            govern --root ROOT --cache TMP/wrongboard --model resnet18 --slowdown 1.3 --metrics-port 0 --duration 1 | 2 | jetson-xavier-nx
            govern --root ROOT --cache TMP/virtualcache --model resnet18 --slowdown 1.3 --metrics-port 0 --duration 1 | 2 | made on a virtual board
            govern --root ROOT --cache TMP/virtualcache --model resnet18 --budget-ms 0.001 --allow-virtual-profiles --metrics-port 0 --duration 1 | 3 | no operating point meets
            govern --root ROOT --config IN/bad.conf --duration 1                         | 2 | line 2: unknown key 'sokcet'
            govern --root ROOT --metrics-port 70000 --duration 1                         | 2 | --metrics-port
            govern --root ROOT --slowdown 1.3 --metrics-port 0 --duration 1              | 2 | a budget needs --model
            govern --virtual pi4                                                         | 2 | pi4
            govern --root ROOT --virtual nano                                            | 2 | are mutually exclusive
            govern --root ROOT --workload resnet18                                       | 2 | need --virtual
            govern --virtual nano --workload vgg19                                       | 2 | unknown workload 'vgg19'
            govern --root TMP/nonexistent                                                | 2 | no such directory
            govern --root ROOT --config TMP/none.conf --duration 1                       | 2 | none.conf
            boards --root TMP/nonexistent                                                | 2 | no such directory
            profile --root TMP/nonexistent --model resnet18 --out TMP/x.json             | 2 | no such directory
            restore --root TMP/nonexistent                                               | 2 | no such directory
            restore --root ROOT --state IN/corrupt-journal.json                          | 2 | journal
            import --csv IN/nocols.csv --board b --model m --out TMP/o.json              | 2 | one of energy_j or power_w is needed
            import --csv IN/badnum.csv --board b --model m --out TMP/o.json              | 2 | line 2
            import --csv IN/negative.csv --board b --model m --out TMP/o.json            | 2 | line 2
            import --csv IN/headeronly.csv --board b --model m --out TMP/o.json          | 2 | no rows
            import --csv IN/binary.csv --board b --model m --out TMP/o.json              | 2 | binary.csv
            import --csv IN/none.csv --board b --model m --out TMP/o.json                | 2 | none.csv
            """)
    void aBadInputIsOneLineWithItsExitCodeAndTouchesNothing(String command, int exitCode, String says) throws Exception {
        String[] args = Arrays.stream(command.trim().split("\\s+")).map(a -> a.replace("ROOT", root.toString())
                .replace("CACHE", root.resolve("var/lib/joulegov/models-cache").toString()).replace("IN", inputs.toString())
                .replace("HUGE", tmp.resolve("huge/huge.json").toString()).replace("TMP", tmp.toString())).toArray(String[]::new);
        CliRun run = CliRun.of(args);
        assertEquals(exitCode, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("joulegov: ") && run.err().contains(says), "says '" + says + "': " + run.err());
        assertEquals(1, run.err().strip().lines().filter(l -> l.startsWith("joulegov: ")).count(), run.err());
        assertEquals(boardBefore, TreeSnapshot.of(root), "the board and its models-cache are untouched");
        assertEquals(inputsBefore, TreeSnapshot.of(inputs), "the input files are untouched");
        assertFalse(Files.exists(tmp.resolve("o.json")) || Files.exists(tmp.resolve("x.json")), "no output written");
    }
}
