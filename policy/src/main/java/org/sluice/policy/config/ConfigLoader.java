package org.sluice.policy.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a config file. Every problem in the file is reported at once, each with file:line:col and a
 * sentence that says what is wrong and what is expected.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /** Reads, validates and returns the config; IOException if unreadable, ConfigException if invalid. */
    public static SluiceConfig load(Path file) throws IOException, ConfigException {
        return load(Files.readAllBytes(file), file);
    }

    /**
     * Validates the bytes already read from {@code file} (so a caller that hashed them validates exactly what it
     * hashed); {@code file} is used in messages, as SluiceConfig.source() and to resolve relative file names.
     */
    public static SluiceConfig load(byte[] bytes, Path file) throws ConfigException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new Problem(new Position(file, 1, 1),
                    "the file is not valid UTF-8; expected a UTF-8 YAML file")));
        }
        return read(text, file, sha256(bytes));
    }

    /** Same, from text; {@code file} is only used in messages and as SluiceConfig.source(). */
    public static SluiceConfig parse(String yaml, Path file) throws ConfigException {
        return read(yaml, file, sha256(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private static SluiceConfig read(String text, Path file, String sha256) throws ConfigException {
        Node root;
        try {
            // compose() builds position-carrying nodes and never instantiates objects from tags.
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getContext() == null ? e.getProblem() : e.getContext() + ": " + e.getProblem();
            throw malformed(new NodeReader(file).position(mark), what);
        } catch (YAMLException e) {
            throw malformed(new Position(file, 1, 1), e.getMessage());
        }
        return new ConfigReader(file).read(root, sha256);
    }

    private static ConfigException malformed(Position position, String what) {
        String sentence = what == null ? "unreadable" : what.replaceAll("\\s+", " ").trim();
        return new ConfigException(List.of(new Problem(position,
                "malformed YAML: " + sentence)));
    }

    /** Lower-case hex SHA-256, as in SluiceConfig.sha256() and the audit records' {@code policy}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
