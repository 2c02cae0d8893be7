package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sluice.policy.config.CasesLoader;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.SluiceConfig;

/**
 * Every YAML example in the docs is a valid config, or a valid piece of one (or a valid cases file), and draws no lint warning except the
 * one that says a forward-listener rule cannot match yet. A doc that shows a broken example fails the build.
 */
class DocumentedPoliciesTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final List<String> DOCS = List.of("docs/policy.md", "docs/configuration.md", "docs/audit-config.md",
            "README.md");
    /** The keys a piece of a config gets from this wrapper unless it writes them itself. */
    private static final List<String> WRAPPER = List.of(
            "version: 1",
            "gateway: {listen: 127.0.0.1:8080, upstream: https://central.example.org}",
            "audit: {path: audit.jsonl}");

    record Example(String doc, int block, String yaml) {
        @Override
        public String toString() {
            return doc + " yaml block " + block;
        }
    }

    static Stream<Example> examples() throws IOException {
        Path root = projectRoot();
        List<Example> examples = new ArrayList<>();
        for (String doc : DOCS) {
            Matcher m = YAML_BLOCK.matcher(Files.readString(root.resolve(doc), StandardCharsets.UTF_8));
            for (int i = 1; m.find(); i++) {
                examples.add(new Example(doc, i, m.group(1)));
            }
        }
        assertThat(examples).as("YAML examples found in the docs").hasSizeGreaterThanOrEqualTo(8);
        return examples.stream();
    }

    static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.isDirectory(dir.resolve("examples"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no folder with docs/ and examples/ above " + Path.of("").toAbsolutePath());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void isAValidConfigWithoutUnexpectedWarnings(Example example) throws ConfigException {
        if (example.yaml().startsWith("cases:")) {
            // A policy test cases file: valid against a policy with the rule it names.
            SluiceConfig policy = ConfigLoader.parse(String.join("\n", WRAPPER) + "\nrules:\n"
                    + "  - {name: central-api, methods: [GET], paths: [\"/api/**\"]}\n", Path.of("policy.yaml"));
            assertThat(CasesLoader.parse(example.yaml(), Path.of(example.toString()), policy)).isNotEmpty();
            return;
        }
        StringBuilder yaml = new StringBuilder();
        for (String line : WRAPPER) {
            String key = line.substring(0, line.indexOf(':') + 1);
            if (!Pattern.compile("(?m)^" + Pattern.quote(key)).matcher(example.yaml()).find()) {
                yaml.append(line).append('\n');
            }
        }
        yaml.append(example.yaml());
        SluiceConfig config;
        try {
            config = ConfigLoader.parse(yaml.toString(), Path.of(example.toString()));
        } catch (ConfigException e) {
            // A documented file name (a CA file) does not exist on this machine; everything else must be valid.
            if (e.problems().stream().allMatch(p -> p.message().contains(": no such file '"))) {
                return;
            }
            throw new AssertionError(example + " is not a valid config:\n" + e.getMessage() + "\n---\n" + yaml, e);
        }
        assertThat(PolicyLint.warnings(config)).extracting(Problem::message)
                .allSatisfy(warning -> assertThat(warning).contains("this config has no forward listener"));
    }
}
