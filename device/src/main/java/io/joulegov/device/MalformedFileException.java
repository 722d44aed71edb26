package io.joulegov.device;

/** A file joulegov reads (journal, profile, configuration) is corrupt or of a foreign format. */
public class MalformedFileException extends DeviceException {

    private static final long serialVersionUID = 1L;

    public MalformedFileException(String message) {
        super(message);
    }

    public MalformedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
