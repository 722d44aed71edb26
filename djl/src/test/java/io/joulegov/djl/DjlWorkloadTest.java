package io.joulegov.djl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.joulegov.device.MalformedFileException;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The six built-in networks run real inference on this machine's CPU, with the sizes of the networks they copy. */
class DjlWorkloadTest {

    @ParameterizedTest
    @CsvSource({
            "alexnet,      61.1, 224",
            "resnet18,     11.7, 224",
            "mobilenet-v2,  3.5, 224",
            "yolov4-tiny,  6.06, 416",
            "bert-tiny,     4.37, 128",
            "distilbert,   66.4, 128"})
    void buildsTheNetworkAndRunsInference(String name, double millionParams, long lastDim) throws Exception {
        try (DjlWorkload w = DjlWorkload.builtIn(name, 1, 7)) {
            double params = w.parameterCount() / 1e6;
            assertEquals(millionParams, params, millionParams * 0.02, name + " has " + params + "M parameters");
            assertEquals(lastDim, w.info().inputShape().get(w.info().inputShape().size() - 1));
            assertTrue(w.info().hash().matches("sha256:[0-9a-f]{64}"), w.info().hash());
            assertEquals(1, w.info().intraOpThreads());
            w.warmUp(1);
            for (int i = 0; i < 3; i++) {
                w.runOnce();
            }
        }
    }

    @Test
    void theHashIsTheSavedWeightsOfTheSeed() {
        String a;
        String b;
        String c;
        try (DjlWorkload w = DjlWorkload.builtIn("bert-tiny", 1, 7)) {
            a = w.info().hash();
        }
        try (DjlWorkload w = DjlWorkload.builtIn("bert-tiny", 1, 7)) {
            b = w.info().hash();
        }
        try (DjlWorkload w = DjlWorkload.builtIn("bert-tiny", 1, 8)) {
            c = w.info().hash();
        }
        assertEquals(a, b, "same seed, same weights");
        assertNotEquals(a, c, "another seed, other weights");
    }

    @Test
    void repeatedCallsDoNotKeepTheirTensors() throws Exception {
        try (DjlWorkload w = DjlWorkload.builtIn("mobilenet-v2", 1, 7)) {
            w.warmUp(3);
            int before = w.liveTensors();
            for (int i = 0; i < 20; i++) {
                w.runOnce();
            }
            assertEquals(before, w.liveTensors(), "intermediates of every call are freed with it");
        }
    }

    @Test
    void aTorchScriptFileRunsWithItsShapeAndIsHashedByItsBytes() throws Exception {
        Path file = Path.of(getClass().getResource("/torchscript/tiny-cnn.pt").toURI());
        try (DjlWorkload w = DjlWorkload.torchScript(file, List.of(1L, 3L, 32L, 32L))) {
            assertEquals("tiny-cnn", w.info().model());
            assertEquals(DjlWorkload.sha256(file), w.info().hash());
            assertEquals(List.of(1L, 3L, 32L, 32L), w.info().inputShape());
            w.runOnce();
        }
        var wrongShape = assertThrows(MalformedFileException.class, () -> DjlWorkload.torchScript(file, List.of(1L, 5L, 32L, 32L)));
        assertTrue(wrongShape.getMessage().startsWith(file + " does not take an input of shape [1, 5, 32, 32]: "), wrongShape.getMessage());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> DjlWorkload.builtIn("resnet50", 1, 7));
        assertTrue(e.getMessage().contains("resnet18, mobilenet-v2"), e.getMessage());
        assertEquals(List.of("alexnet", "resnet18", "mobilenet-v2", "yolov4-tiny", "bert-tiny", "distilbert"), BuiltInModels.names());
    }
}
