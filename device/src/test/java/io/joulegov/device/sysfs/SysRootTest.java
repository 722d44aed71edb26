package io.joulegov.device.sysfs;

import io.joulegov.device.DeviceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysRootTest {

    @TempDir
    Path tmp;

    @Test
    void absoluteLinksAreReRootedAndRelativeOnesCannotClimbOut() throws IOException {
        Files.createDirectories(tmp.resolve("sys/firmware/devicetree/base"));
        Files.writeString(tmp.resolve("sys/firmware/devicetree/base/model"), "Board\0");
        Files.createDirectories(tmp.resolve("proc"));
        Files.createSymbolicLink(tmp.resolve("proc/device-tree"), Path.of("/sys/firmware/devicetree/base"));
        Files.createSymbolicLink(tmp.resolve("escape"), Path.of("../../../../../../etc"));
        SysRoot root = SysRoot.of(tmp);
        assertEquals("Board", root.read(root.path("proc/device-tree/model")).orElseThrow());
        assertEquals(root.root().resolve("etc"), root.resolve("escape"));
    }

    @Test
    void writesNeverCreateAKnob() {
        SysRoot root = SysRoot.of(tmp);
        DeviceException e = assertThrows(DeviceException.class, () -> root.write(root.path("sys/nope"), "1"));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("sys/nope")));
    }

    @Test
    void atomicWritesLeaveNoTempFiles() throws IOException {
        Path target = tmp.resolve("a/b/file.json");
        AtomicFiles.write(target, "one".getBytes());
        AtomicFiles.write(target, "two".getBytes());
        assertEquals("two", Files.readString(target));
        try (var files = Files.list(target.getParent())) {
            assertEquals(1, files.count());
        }
    }
}
