package io.joulegov.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * A BERT-style encoder with LayerNorm (DJL's {@code BertBlock} uses BatchNorm and a pooler): word, position and
 * token-type embeddings, then post-norm layers of self-attention and a GELU feed-forward of 4x the width. Input: token
 * ids and token-type ids, each (batch, sequence) int64; output (batch, sequence, width).
 */
final class TextEncoder extends AbstractBlock {

    private static final int VOCABULARY = 30522;
    private static final int MAX_POSITIONS = 512;

    private final IdEmbedding words;
    private final IdEmbedding positions;
    private final IdEmbedding types;
    private final LayerNorm embeddingNorm;
    private final List<Layer> layers = new ArrayList<>();

    /** BERT-Tiny is 2 layers of width 128 with 2 heads; DistilBERT 6 of 768 with 12. */
    TextEncoder(int layerCount, int width, int heads) {
        words = addChildBlock("words", new IdEmbedding.Builder().setDictionarySize(VOCABULARY).setEmbeddingSize(width).build());
        positions = addChildBlock("positions", new IdEmbedding.Builder().setDictionarySize(MAX_POSITIONS).setEmbeddingSize(width).build());
        types = addChildBlock("types", new IdEmbedding.Builder().setDictionarySize(2).setEmbeddingSize(width).build());
        embeddingNorm = addChildBlock("embeddingNorm", LayerNorm.builder().axis(2).build());
        for (int i = 0; i < layerCount; i++) {
            layers.add(addChildBlock("layer" + i, new Layer(width, heads)));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray typeIds = inputs.get(1);
        NDArray positionIds = ids.getManager().arange(0, ids.getShape().get(1), 1, DataType.INT64).expandDims(0);
        NDArray x = words.forward(ps, new NDList(ids), training).head()
                .add(positions.forward(ps, new NDList(positionIds), training).head())
                .add(types.forward(ps, new NDList(typeIds), training).head());
        NDList h = embeddingNorm.forward(ps, new NDList(x), training);
        for (Layer layer : layers) {
            h = layer.forward(ps, h, training);
        }
        return h;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), words.getOutputShapes(new Shape[] {ids})[0].getLastDimension())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        words.initialize(manager, dataType, ids);
        positions.initialize(manager, dataType, new Shape(1, ids.get(1)));
        types.initialize(manager, dataType, ids);
        Shape hidden = getOutputShapes(inputShapes)[0];
        embeddingNorm.initialize(manager, dataType, hidden);
        for (Layer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
    }

    /** One post-norm encoder layer. */
    static final class Layer extends AbstractBlock {

        private final ScaledDotProductAttentionBlock attention;
        private final LayerNorm attentionNorm;
        private final Linear expand;
        private final Linear contract;
        private final LayerNorm outputNorm;
        private final int width;

        Layer(int width, int heads) {
            this.width = width;
            attention = addChildBlock("attention", ScaledDotProductAttentionBlock.builder().setEmbeddingSize(width)
                    .setHeadCount(heads).optAttentionProbsDropoutProb(0).build());
            attentionNorm = addChildBlock("attentionNorm", LayerNorm.builder().axis(2).build());
            expand = addChildBlock("expand", Linear.builder().setUnits(4L * width).build());
            contract = addChildBlock("contract", Linear.builder().setUnits(width).build());
            outputNorm = addChildBlock("outputNorm", LayerNorm.builder().axis(2).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.head();
            NDArray attended = attention.forward(ps, new NDList(x), training).head();
            NDArray h = attentionNorm.forward(ps, new NDList(x.add(attended)), training).head();
            NDArray f = contract.forward(ps, new NDList(Activation.gelu(expand.forward(ps, new NDList(h), training).head())), training).head();
            return outputNorm.forward(ps, new NDList(h.add(f)), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape in = inputShapes[0];
            attention.initialize(manager, dataType, in);
            attentionNorm.initialize(manager, dataType, in);
            expand.initialize(manager, dataType, in);
            contract.initialize(manager, dataType, new Shape(in.get(0), in.get(1), 4L * width));
            outputNorm.initialize(manager, dataType, in);
        }
    }
}
