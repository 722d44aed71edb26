package io.joulegov.cli;

import picocli.CommandLine.Option;

/** {@code --unit N}: which unit of a virtual board kind (0, the default, is the calibrated board). */
final class UnitOption {

    @Option(names = "--unit", paramLabel = "N", defaultValue = "0",
            description = "Which unit of the virtual board: 0 (default) is the calibrated board, N a seeded variation of up to 10%% in each domain's speed and power.")
    int unit;

    /** The unit, checked: a usage error when negative, or when given without a virtual board. */
    int of(boolean virtual) {
        if (unit < 0) {
            throw new UsageException("--unit is a number from 0, not " + unit);
        }
        if (unit != 0 && !virtual) {
            throw new UsageException("--unit needs --virtual");
        }
        return unit;
    }
}
