package io.joulegov.djl;

import ai.djl.basicmodelzoo.cv.classification.MobileNetV2;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

import java.util.List;

/**
 * The founding study's four vision networks as DJL blocks, layer for layer: AlexNet in torchvision's layout, ResNet-18
 * (basic blocks; DJL's {@code ResNetV1} with 18 layers builds a bottleneck net of 1.4M parameters instead), the zoo's
 * MobileNetV2 and YOLOv4-tiny after darknet's yolov4-tiny.cfg (DJL has none).
 */
final class VisionBlocks {

    private static final float MOMENTUM = 0.9f;

    private VisionBlocks() {
    }

    /** torchvision.models.alexnet: 61.1M parameters, input 3x224x224 (where the adaptive pool is already 6x6). */
    static Block alexnet() {
        return new SequentialBlock()
                .add(conv(64, 11, 4, 2, true)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)))
                .add(conv(192, 5, 1, 2, true)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)))
                .add(conv(384, 3, 1, 1, true)).add(Activation.reluBlock())
                .add(conv(256, 3, 1, 1, true)).add(Activation.reluBlock())
                .add(conv(256, 3, 1, 1, true)).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Dropout.builder().optRate(0.5f).build()).add(Linear.builder().setUnits(4096).build()).add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.5f).build()).add(Linear.builder().setUnits(4096).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(1000).build());
    }

    /** torchvision.models.resnet18: 11.7M parameters. */
    static Block resnet18() {
        SequentialBlock net = new SequentialBlock()
                .add(conv(64, 7, 2, 3, false)).add(BatchNorm.builder().optMomentum(MOMENTUM).build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int[] filters = {64, 128, 256, 512};
        for (int stage = 0; stage < filters.length; stage++) {
            int stride = stage == 0 ? 1 : 2;
            net.add(ResNetV1.residualUnit(filters[stage], new Shape(stride, stride), stage == 0, false, MOMENTUM));
            net.add(ResNetV1.residualUnit(filters[stage], new Shape(1, 1), true, false, MOMENTUM));
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Linear.builder().setUnits(1000).build());
    }

    /** DJL's zoo MobileNetV2 (its stem is 1x1 where torchvision's is 3x3): 3.5M parameters. */
    static Block mobilenetV2() {
        return MobileNetV2.builder().setOutSize(1000).build();
    }

    /**
     * darknet's yolov4-tiny.cfg for 80 classes: two CSP stages, a third whose inner 1x1 output also feeds the 26x26
     * head, and the two detection heads (13x13 and 26x26, 255 channels each). The blocks pass an {@link NDList} of
     * two arrays where the network branches. 6.06M parameters, input 3x416x416.
     */
    static Block yolov4Tiny() {
        SequentialBlock backbone = new SequentialBlock()
                .add(darknet(32, 3, 2)).add(darknet(64, 3, 2)).add(csp(32)).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(darknet(128, 3, 1)).add(csp(64)).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(darknet(256, 3, 1));
        // third stage: (stage output, its inner 1x1 output) for the second head
        Block stage3 = new ParallelBlock(l -> new NDList(NDArrays.concat(new NDList(l.get(0).head(), l.get(1).head()), 1), l.get(1).head()),
                List.of(Blocks.identityBlock(), cspInner(128)));
        Block neck = new ParallelBlock(l -> new NDList(l.get(0).head(), l.get(1).head()), List.of(
                new SequentialBlock().add(first()).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(darknet(512, 3, 1)).add(darknet(256, 1, 1)),
                second()));
        Block heads = new ParallelBlock(l -> new NDList(l.get(0).head(), l.get(1).head()), List.of(
                new SequentialBlock().add(first()).add(darknet(512, 3, 1)).add(conv(255, 1, 1, 0, true)),
                new SequentialBlock()
                        .add(new ParallelBlock(l -> new NDList(NDArrays.concat(new NDList(l.get(0).head(), l.get(1).head()), 1)), List.of(
                                new SequentialBlock().add(first()).add(darknet(128, 1, 1)).add(LambdaBlock.singleton(VisionBlocks::upsample2)),
                                second())))
                        .add(darknet(256, 3, 1)).add(conv(255, 1, 1, 0, true))));
        return new SequentialBlock().add(backbone).add(stage3).add(neck).add(heads);
    }

    /** A CSP stage on 2c channels: concat(input, inner(input)). */
    private static Block csp(int c) {
        return new ParallelBlock(l -> new NDList(NDArrays.concat(new NDList(l.get(0).head(), l.get(1).head()), 1)),
                List.of(Blocks.identityBlock(), cspInner(c)));
    }

    /** route groups=2 group_id=1, conv c, conv c, route -1,-2, conv 2c 1x1. */
    private static Block cspInner(int c) {
        return new SequentialBlock()
                .add(LambdaBlock.singleton(x -> x.split(2, 1).get(1)))
                .add(darknet(c, 3, 1))
                .add(new ParallelBlock(l -> new NDList(NDArrays.concat(new NDList(l.get(0).head(), l.get(1).head()), 1)),
                        List.of(darknet(c, 3, 1), Blocks.identityBlock())))
                .add(darknet(2 * c, 1, 1));
    }

    /** darknet's convolutional layer: convolution without bias, batch norm, leaky ReLU 0.1. */
    private static Block darknet(int filters, int kernel, int stride) {
        return new SequentialBlock().add(conv(filters, kernel, stride, kernel / 2, false))
                .add(BatchNorm.builder().optMomentum(MOMENTUM).build()).add(Activation.leakyReluBlock(0.1f));
    }

    private static Block conv(int filters, int kernel, int stride, int pad, boolean bias) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).setFilters(filters).optBias(bias).build();
    }

    private static Block first() {
        return new LambdaBlock(l -> new NDList(l.get(0)));
    }

    private static Block second() {
        return new LambdaBlock(l -> new NDList(l.get(1)));
    }

    /** darknet's [upsample] stride 2: nearest neighbour. */
    private static NDArray upsample2(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }
}
