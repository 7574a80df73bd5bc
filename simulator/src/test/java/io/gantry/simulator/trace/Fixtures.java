package io.gantry.simulator.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Access to the hand-written fixtures under {@code src/test/resources/traces/} and to throwaway files. */
final class Fixtures {

    private Fixtures() {
    }

    static Path fixture(String name) {
        URL url = Fixtures.class.getResource("/traces/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test fixture traces/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code lines} (each followed by a newline) to {@code directory/fileName}. */
    static Path write(Path directory, String fileName, List<String> lines) {
        try {
            return Files.write(directory.resolve(fileName), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
