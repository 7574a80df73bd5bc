package io.gantry.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The YAML under {@code manifests/} as fabric8 objects: the install (what {@code kustomization.yaml}
 * lists), the scheduler's config file through the real {@link SettingsLoader}, and the examples.
 */
final class Manifests {
    static final Path DIR = Path.of(System.getProperty("gantry.manifests", ".")).toAbsolutePath().normalize();
    static final Path ROOT = Path.of(System.getProperty("gantry.root", "..")).toAbsolutePath().normalize();
    static final Path EXAMPLES = DIR.resolve("examples");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {
    }

    /** Every object in one file: several YAML documents, {@code List}s expanded. */
    static List<HasMetadata> load(Path file) {
        String text = read(file);
        List<HasMetadata> out = new ArrayList<>();
        String[] documents = text.split("(?m)^---\\s*$");
        for (int d = 0; d < documents.length; d++) {
            if (documents[d].lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(documents[d]);
            if (parsed instanceof KubernetesList list) {
                out.addAll(list.getItems());
            } else if (parsed instanceof HasMetadata object) {
                out.add(object);
            } else {
                throw new AssertionError(file + ": document " + (d + 1) + " is not a Kubernetes object: " + parsed);
            }
        }
        return out;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yamlTree(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode kustomization() {
        return yamlTree(DIR.resolve("kustomization.yaml"));
    }

    /** The files {@code kustomization.yaml} lists under {@code resources}. */
    static List<Path> resourceFiles() {
        List<Path> out = new ArrayList<>();
        for (JsonNode r : kustomization().path("resources")) {
            out.add(DIR.resolve(r.asText()));
        }
        return out;
    }

    /** What {@code kubectl apply -k manifests/} installs, the generated ConfigMap aside. */
    static List<HasMetadata> installed() {
        List<HasMetadata> out = new ArrayList<>();
        for (Path file : resourceFiles()) {
            out.addAll(load(file));
        }
        return out;
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (type.isInstance(o)) {
                found.add(type.cast(o));
            }
        }
        return found;
    }

    /** The scheduler's config file, read by the scheduler's own loader. */
    static Path configFile() {
        return DIR.resolve("config.yaml");
    }

    static SchedulerSettings settings() {
        return SettingsLoader.load(configFile());
    }

    static List<Path> exampleFiles() {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fields fabric8 did not recognise (a typo, a wrong indentation, a field of another API version):
     * fabric8 keeps them in {@code additionalProperties} instead of failing, and so would a lenient
     * reader, while the API server rejects or prunes them.
     */
    static List<String> unknownFields(Object object, String path) {
        List<String> out = new ArrayList<>();
        walk(object, path, out);
        return out;
    }

    private static void walk(Object o, String path, List<String> out) {
        if (o == null || o instanceof GenericKubernetesResource || o instanceof String || o instanceof Number
                || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                walk(e.getValue(), path + "[" + e.getKey() + "]", out);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class
                    || m.isAnnotationPresent(Deprecated.class)) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
                if (!extra.isEmpty()) {
                    out.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            walk(value, path + "." + field, out);
        }
    }
}
