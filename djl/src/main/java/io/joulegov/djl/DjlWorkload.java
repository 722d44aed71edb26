package io.joulegov.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.profiler.workload.Workload;
import io.joulegov.profiler.workload.WorkloadInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A DJL model on the PyTorch engine run one batch at a time: a built-in network with random weights from a fixed
 * seed, or a TorchScript file. Every call runs in its own sub-manager, so the intermediate tensors that DJL attaches
 * to the input's manager are freed when the call ends (without it latency and memory grow call after call).
 */
public final class DjlWorkload implements Workload {

    private final Model model;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager inputs;
    private final NDList input;
    private final WorkloadInfo info;

    private DjlWorkload(Model model, NDList input, WorkloadInfo info) {
        this.model = model;
        this.predictor = model.newPredictor(new NoopTranslator());
        this.inputs = input.head().getManager();
        this.input = input;
        this.info = info;
    }

    /**
     * Builds a named network with weights drawn from {@code seed}, saves its parameters (the saved file's SHA-256 is
     * the model hash, identical for the same seed and code) and makes random inputs of the batch's shape.
     */
    public static DjlWorkload builtIn(String name, int batch, long seed) {
        return builtIn(name, batch, seed, null);
    }

    /** As {@link #builtIn(String, int, long)}, on {@code device} ("cpu", "gpu", or null: see {@link DjlRuntime#device}). */
    public static DjlWorkload builtIn(String name, int batch, long seed, String device) {
        BuiltInModels.Spec spec = BuiltInModels.spec(name);
        Engine engine = DjlRuntime.engine();
        engine.setRandomSeed((int) seed);
        Device on = DjlRuntime.device(device);
        Model model = Model.newInstance(name, on, DjlRuntime.ENGINE);
        try {
            model.setBlock(spec.block().get());
            Shape[] shapes = spec.sampleShapes().stream().map(s -> batched(batch, s)).toArray(Shape[]::new);
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, shapes);
            String hash = savedParamsHash(model, name);
            NDManager manager = model.getNDManager().newSubManager();
            NDList input = new NDList();
            for (Shape shape : shapes) {
                input.add(spec.inputType() == DataType.INT64
                        ? manager.randomInteger(0, 2, shape, DataType.INT64)
                        : manager.randomUniform(0, 1, shape));
            }
            // token ids over the vocabulary, token types 0 or 1
            if (spec.inputType() == DataType.INT64) {
                input.set(0, manager.randomInteger(0, 30522, shapes[0], DataType.INT64));
            }
            return new DjlWorkload(model, input, new WorkloadInfo(name, hash, batch, dims(shapes[0]), DjlRuntime.describe(on),
                    DjlRuntime.intraOpThreads(), DjlRuntime.interOpThreads()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Loads a TorchScript file and checks that it takes float input of {@code shape} (batch first). */
    public static DjlWorkload torchScript(Path file, List<Long> shape) {
        return torchScript(file, shape, null);
    }

    /** As {@link #torchScript(Path, List)}, on {@code device} ("cpu", "gpu", or null: see {@link DjlRuntime#device}). */
    public static DjlWorkload torchScript(Path file, List<Long> shape, String device) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new MalformedFileException("cannot read the TorchScript file " + file);
        }
        Device on = DjlRuntime.device(device);
        String name = file.getFileName().toString().replaceFirst("\\.pt$", "");
        Model model;
        try {
            model = Criteria.builder().setTypes(NDList.class, NDList.class)
                    .optModelPath(file.toAbsolutePath().getParent()).optModelName(name)
                    .optEngine(DjlRuntime.ENGINE).optDevice(on).optTranslator(new NoopTranslator()).build().loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | EngineException e) {
            throw new MalformedFileException(file + " is not a TorchScript model DJL can load: " + firstLine(e));
        }
        NDList input = new NDList(model.getNDManager().newSubManager()
                .randomUniform(0, 1, new Shape(shape.stream().mapToLong(Long::longValue).toArray())));
        DjlWorkload workload = new DjlWorkload(model, input, new WorkloadInfo(name, sha256(file), shape.get(0).intValue(),
                shape, DjlRuntime.describe(on), DjlRuntime.intraOpThreads(), DjlRuntime.interOpThreads()));
        try {
            workload.runOnce();
        } catch (TranslateException | EngineException e) {
            workload.close();
            throw new MalformedFileException(file + " does not take an input of shape " + shape + ": " + firstLine(e));
        }
        return workload;
    }

    @Override
    public WorkloadInfo info() {
        return info;
    }

    @Override
    public void runOnce() throws TranslateException {
        try (NDManager call = inputs.newSubManager()) {
            call.tempAttachAll(input);
            predictor.predict(input);
        }
    }

    /** A new predictor of the model, for code that calls DJL itself (the caller closes it). */
    public Predictor<NDList, NDList> newPredictor() {
        return model.newPredictor(new NoopTranslator());
    }

    /** The workload's input; scope each call's tensors to a sub-manager of its manager, as {@link #runOnce} does. */
    public NDList input() {
        return input;
    }

    /** How many weights the network has. */
    public long parameterCount() {
        return model.getBlock().getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /** Tensors alive under the model's manager (weights, inputs, and whatever a call failed to free). */
    int liveTensors() {
        return ((BaseNDManager) model.getNDManager()).getManagedArrays().size();
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }

    private static String savedParamsHash(Model model, String name) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("joulegov-" + name);
            model.setProperty("Epoch", "0");
            model.save(dir, name);
            try (Stream<Path> files = Files.list(dir)) {
                Path params = files.filter(f -> f.toString().endsWith(".params")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("DJL saved no .params file for " + name));
                return sha256(params);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the parameters of " + name + " to hash them", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // digesting
            }
            return "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Shape batched(int batch, Shape sample) {
        long[] dims = new long[sample.dimension() + 1];
        dims[0] = batch;
        System.arraycopy(sample.getShape(), 0, dims, 1, sample.dimension());
        return new Shape(dims);
    }

    private static List<Long> dims(Shape shape) {
        List<Long> dims = new ArrayList<>();
        for (long d : shape.getShape()) {
            dims.add(d);
        }
        return dims;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
