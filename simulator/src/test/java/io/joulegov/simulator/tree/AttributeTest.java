package io.joulegov.simulator.tree;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributeTest {

    @TempDir
    Path tmp;

    @Test
    void mappedFilesLookOrdinaryToOtherReadersWhateverTheLength() throws IOException {
        for (boolean mapped : new boolean[] {true, false}) {
            Path f = tmp.resolve("attr-" + mapped);
            Files.writeString(f, "schedutil\n");
            try (Attribute a = mapped ? Attribute.mapped(f) : Attribute.channel(f)) {
                assertEquals("schedutil\n", Files.readString(f), "the file keeps its length");
                a.write(1479000);
                assertEquals("1479000\n", Files.readString(f));
                a.write("102000");
                assertEquals("102000\n", Files.readString(f));
                a.write(-256000);
                assertEquals("-256000\n", Files.readString(f));
                // what another writer puts there, the attribute reads
                Files.writeString(f, "userspace\n");
                assertEquals("userspace", a.read());
                assertTrue(a.holds("userspace"));
                assertFalse(a.holds("user"));
                Files.writeString(f, "825600\n");
                assertEquals(825600, a.readNumber(-1));
                Files.writeString(f, "<unsupported>\n");
                assertEquals(-1, a.readNumber(-1));
                // after another writer changed the length, our writes still set the right one
                Files.writeString(f, "729600\n");
                a.write("<unsupported>");
                assertEquals("<unsupported>\n", Files.readString(f));
                Files.writeString(f, "a much longer line than before\n");
                a.write(7);
                assertEquals("7\n", Files.readString(f));
            }
        }
    }
}
