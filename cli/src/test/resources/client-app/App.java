import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.translate.NoopTranslator;
import io.joulegov.client.GovernedPredictor;

import java.nio.file.Path;

/**
 * An application that knows joulegov only through joulegov-client: a DJL model whose predictor is wrapped, reporting
 * to the daemon at the socket given. Arguments: SOCKET INFERENCES.
 */
public class App {
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        try (Model model = Model.newInstance("tiny", "PyTorch")) {
            model.setBlock(Linear.builder().setUnits(4).build());
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            Predictor<NDList, NDList> plain = model.newPredictor(new NoopTranslator());
            GovernedPredictor<NDList, NDList> predictor = GovernedPredictor.builder(plain)
                    .model("resnet18").slowdown(1.3).percentile("p95").socket(socket).build();
            try {
                for (int i = 0; i < n; i++) {
                    try (NDManager call = model.getNDManager().newSubManager()) {
                        predictor.predict(new NDList(call.ones(new Shape(1, 8))));
                    }
                }
            } finally {
                predictor.close();
            }
            System.out.println("reported " + predictor.reported() + " dropped " + predictor.dropped());
        }
    }
}
