package io.joulegov.device;

/**
 * joulegov will not use an input that is well formed but not for this use, by its own rule: a profile made on
 * another kind of board, on a virtual board without {@code --allow-virtual-profiles}, with latency only where
 * energy is needed, a restore journal of another root, a checkpoint of another sweep. The message says which
 * and what to do instead; it is printed as one line.
 */
public class RefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
        super(message);
    }
}
