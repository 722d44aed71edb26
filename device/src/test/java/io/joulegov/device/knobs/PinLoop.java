package io.joulegov.device.knobs;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A process that pins random operating points as fast as it can, until it is killed: the victim of kill -9 tests. */
public final class PinLoop {

    private PinLoop() {
    }

    public static void main(String[] args) {
        SysRoot root = SysRoot.of(Path.of(args[0]));
        Board board = BoardDiscovery.discover(root);
        ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
        Random random = new Random(Long.parseLong(args[1]));
        // announced once the journal is on disk and one knob is written, so a slow machine kills no earlier than that;
        // the other domains are journaled and pinned after it, at moments the kill may cut through
        CpuPolicy first = board.cpuPolicies().get(0);
        pinner.pinCpu(first, pick(random, first.frequenciesKHz()));
        System.out.println("pinning");
        System.out.flush();
        while (true) {
            for (CpuPolicy p : board.cpuPolicies()) {
                pinner.pinCpu(p, pick(random, p.frequenciesKHz()));
            }
            pinner.pinGpu(pick(random, board.gpu().orElseThrow().frequenciesHz()));
            pinner.pinEmc(pick(random, board.emc().orElseThrow().ratesHz()));
        }
    }

    private static long pick(Random random, List<Long> values) {
        return values.get(random.nextInt(values.size()));
    }
}
