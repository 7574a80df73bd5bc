package io.gantry.manifests;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and the Jib configuration build the same image (base, user, entrypoint, port), Jib is
 * bound to no phase (so {@code mvn verify} never builds an image: no Docker engine or registry in CI),
 * and the Deployment runs as the image's user. Text checks only: no image is built here.
 */
class ContainerImageTest {
    static final Path DOCKERFILE = Manifests.ROOT.resolve("Dockerfile");
    /** The numeric user of the image, which the Deployment's runAsUser must be (runAsNonRoot needs a number). */
    static final long IMAGE_USER = Long.parseLong(dockerfileUser().split(":")[0]);

    private final List<String> lines = instructions();

    @Test
    void jibBuildsTheDockerfilesImage() throws Exception {
        Element jib = plugin(xml(Manifests.ROOT.resolve("cli/pom.xml")), "jib-maven-plugin");
        Element config = child(jib, "configuration");
        assertThat(text(child(child(config, "from"), "image"))).isEqualTo(runtimeBase());
        Element container = child(config, "container");
        List<String> entrypoint = new ArrayList<>();
        for (Element arg : children(child(container, "entrypoint"), "arg")) {
            entrypoint.add(text(arg));
        }
        assertThat(entrypoint).isEqualTo(dockerfileEntrypoint()).containsExactly("java", "-jar", "/app/gantry.jar");
        assertThat(text(child(container, "user"))).isEqualTo(dockerfileUser());
        assertThat(text(child(child(container, "ports"), "port"))).isEqualTo(instruction("EXPOSE"))
                .isEqualTo(Integer.toString(Manifests.settings().metrics().port()));
        // the jar Jib adds at /app is the one the Dockerfile copies: the shade plugin's gantry.jar
        assertThat(lines).contains("COPY --from=build /src/cli/target/gantry.jar /app/gantry.jar");
        Element path = child(child(child(config, "extraDirectories"), "paths"), "path");
        assertThat(text(child(path, "into"))).isEqualTo("/app");
        assertThat(text(child(path, "includes"))).isEqualTo("gantry.jar");
        assertThat(text(child(config, "skip"))).isEqualTo("false");
    }

    @Test
    void jibIsBoundToNoPhaseAndSkippedOutsideCli() throws Exception {
        Element jib = plugin(xml(Manifests.ROOT.resolve("cli/pom.xml")), "jib-maven-plugin");
        assertThat(children(jib, "executions")).as("jib-maven-plugin <executions> in cli/pom.xml").isEmpty();
        Element managed = plugin(xml(Manifests.ROOT.resolve("pom.xml")), "jib-maven-plugin");
        assertThat(children(managed, "executions")).isEmpty();
        assertThat(text(child(managed, "version"))).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(text(child(child(managed, "configuration"), "skip"))).isEqualTo("true");
    }

    @Test
    void theDockerfileBuildsTheJarAndRunsItAsANonRootUser() {
        List<String> from = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("FROM ")) {
                from.add(line.substring(5).trim());
            }
        }
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).matches("maven:\\S+-17 AS build");
        assertThat(instruction("RUN")).contains("mvn -B -q -pl cli -am -DskipTests package");
        assertThat(IMAGE_USER).isPositive();
    }

    private static String runtimeBase() {
        String last = null;
        for (String line : instructions()) {
            if (line.startsWith("FROM ")) {
                last = line.substring(5).trim();
            }
        }
        return last;
    }

    private static List<String> dockerfileEntrypoint() throws Exception {
        String json = instructionOf(instructions(), "ENTRYPOINT");
        List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(json).forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String dockerfileUser() {
        return instructionOf(instructions(), "USER");
    }

    private String instruction(String keyword) {
        return instructionOf(lines, keyword);
    }

    /** The argument of the one instruction with this keyword. */
    private static String instructionOf(List<String> lines, String keyword) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith(keyword + " ")) {
                found.add(line.substring(keyword.length() + 1).trim());
            }
        }
        assertThat(found).as("Dockerfile " + keyword).hasSize(1);
        return found.get(0);
    }

    /** Instructions, comments and blank lines left out (the Dockerfile has no line continuations). */
    private static List<String> instructions() {
        List<String> out = new ArrayList<>();
        for (String line : Manifests.read(DOCKERFILE).lines().toList()) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                assertThat(t).as("line continuation").doesNotEndWith("\\");
                out.add(t);
            }
        }
        return out;
    }

    private static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static Element plugin(Document pom, String artifactId) {
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            Element id = child(p, "artifactId");
            if (id != null && artifactId.equals(text(id))) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + artifactId);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }
}
