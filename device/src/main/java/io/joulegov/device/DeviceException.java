package io.joulegov.device;

/**
 * A problem with the board or its files, worded for the person at the terminal: the message is the whole story
 * and is printed as one line.
 */
public class DeviceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
