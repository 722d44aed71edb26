package io.joulegov.djl;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The founding study's six workloads, by the names the command line uses. */
public final class BuiltInModels {

    /** A network and the shape of one sample of each of its inputs (a batch dimension goes in front). */
    record Spec(Supplier<Block> block, List<Shape> sampleShapes, DataType inputType) {
    }

    /** The seed of every built-in model's weights: the same network, byte for byte, on every machine. */
    public static final long WEIGHTS_SEED = 1;

    private static final Shape IMAGE_224 = new Shape(3, 224, 224);
    private static final Shape SEQUENCE_128 = new Shape(128);
    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("alexnet", new Spec(VisionBlocks::alexnet, List.of(IMAGE_224), DataType.FLOAT32));
        SPECS.put("resnet18", new Spec(VisionBlocks::resnet18, List.of(IMAGE_224), DataType.FLOAT32));
        SPECS.put("mobilenet-v2", new Spec(VisionBlocks::mobilenetV2, List.of(IMAGE_224), DataType.FLOAT32));
        SPECS.put("yolov4-tiny", new Spec(VisionBlocks::yolov4Tiny, List.of(new Shape(3, 416, 416)), DataType.FLOAT32));
        // token ids and token types of a full 128-token sequence
        SPECS.put("bert-tiny", new Spec(() -> new TextEncoder(2, 128, 2), List.of(SEQUENCE_128, SEQUENCE_128), DataType.INT64));
        SPECS.put("distilbert", new Spec(() -> new TextEncoder(6, 768, 12), List.of(SEQUENCE_128, SEQUENCE_128), DataType.INT64));
    }

    private BuiltInModels() {
    }

    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    public static boolean contains(String name) {
        return SPECS.containsKey(name);
    }

    static Spec spec(String name) {
        Spec spec = SPECS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown model '" + name + "' (known: " + String.join(", ", names())
                    + ", or a TorchScript .pt file with --input-shape)");
        }
        return spec;
    }
}
