package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateCommandTest {

    @TempDir
    Path tmp;

    /** A live board that another client reads and pins, as joulegov govern would, while a workload runs on it. */
    @Test
    void servesALiveBoardThatFollowsPinsWrittenFromOutside() throws Exception {
        Path root = tmp.resolve("live");
        CompletableFuture<CliRun> simulate = CompletableFuture.supplyAsync(() -> CliRun.of("simulate", "--board", "nano",
                "--root", root.toString(), "--workload", "resnet18", "--rate", "20", "--duration", "3"));
        Path gpuCur = root.resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu/cur_freq");
        // the rails read 0 as laid out; the board sets them from its model once the whole tree is there
        String rail = "sys/devices/7000c400.i2c/i2c-6/6-0040/iio:device0/in_power0_input";
        Await.until(() -> !JoulegovProcess.read(root, rail).matches("0?"), "the board is served");
        CliRun boards = CliRun.of("boards", "--root", root.toString(), "--json");
        assertEquals(0, boards.exitCode(), boards.err());
        assertTrue(boards.out().contains("\"board\":\"jetson-nano\""), boards.out());

        SysRoot sys = SysRoot.of(root);
        Board board = BoardDiscovery.discover(sys);
        ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(sys, RestoreJournal.defaultFile(sys)));
        pinner.pinGpu(384000000L);
        Await.equal("384000000", () -> Files.readString(gpuCur).trim(), "the live board took the pin");
        pinner.release();

        CliRun run = simulate.get(20, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("serving a virtual nano under " + root), run.out());
        assertTrue(run.out().contains("t=1s resnet18 inferences="), run.out());
        assertTrue(run.out().contains("t=2s resnet18 inferences="), run.out());
        assertTrue(run.out().strip().endsWith("stopped; the tree stays under " + root), run.out());
    }

    @Test
    void refusesADirectoryInUseAndUnknownNames() throws Exception {
        Files.writeString(tmp.resolve("something"), "x");
        CliRun busy = CliRun.of("simulate", "--board", "nano", "--root", tmp.toString(), "--duration", "1");
        assertEquals(2, busy.exitCode());
        assertTrue(busy.oneLineError() && busy.err().contains("is not an empty directory"), busy.err());
        assertEquals(2, CliRun.of("simulate", "--board", "tx1", "--root", tmp.resolve("a").toString()).exitCode());
        CliRun workload = CliRun.of("simulate", "--board", "nano", "--root", tmp.resolve("b").toString(), "--workload", "vgg19");
        assertEquals(2, workload.exitCode());
        assertTrue(workload.err().contains("unknown workload 'vgg19'"), workload.err());
        assertEquals(2, CliRun.of("simulate", "--board", "nano", "--root", tmp.resolve("c").toString(), "--rate", "5").exitCode());
    }
}
