package org.sluice.policy.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the cases file of {@code policy test}: every problem at once, each with file:line:col, like the config.
 *
 * <pre>
 * cases:
 *   - name: algorithm fetches its task
 *     request: GET /api/tasks?limit=10     # METHOD URL
 *     headers: {X-Request-Tag: a}          # optional
 *     expect: allow                        # allow | deny | report | bad_request | url_too_long | headers_too_large
 *     rule: central-api                    # optional
 *     forwarded: [X-Request-Tag]           # optional
 *     stripped: [Cookie]                   # optional
 * </pre>
 */
public final class CasesLoader {

    private CasesLoader() {}

    /**
     * Reads and checks the cases against config (URLs are read relative to its gateway upstream, rule names must
     * be its rules'); IOException if unreadable, ConfigException with positions in the cases file if invalid.
     */
    public static List<PolicyCase> load(Path file, SluiceConfig config) throws IOException, ConfigException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return parse(text, file, config);
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new Problem(new Position(file, 1, 1),
                    "the file is not valid UTF-8; expected a UTF-8 YAML file")));
        }
    }

    /** Same, from text; {@code file} is only used in messages. */
    public static List<PolicyCase> parse(String yaml, Path file, SluiceConfig config) throws ConfigException {
        Node root;
        NodeReader in = new NodeReader(file);
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getContext() == null ? e.getProblem() : e.getContext() + ": " + e.getProblem();
            throw malformed(in.position(mark), what);
        } catch (YAMLException e) {
            throw malformed(new Position(file, 1, 1), e.getMessage());
        }
        return new CasesReader(in, file, config).read(root);
    }

    private static ConfigException malformed(Position position, String what) {
        String sentence = what == null ? "unreadable" : what.replaceAll("\\s+", " ").trim();
        return new ConfigException(List.of(new Problem(position, "malformed YAML: " + sentence)));
    }
}
