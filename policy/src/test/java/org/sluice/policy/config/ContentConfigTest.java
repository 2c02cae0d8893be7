package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.policy.Mode;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;

/**
 * A rule's {@code content:} key: every key and default, the files it names (read from the policy's folder), and
 * every error with the position it is reported at. The rule's content mapping starts on line 12, column 7.
 */
class ContentConfigTest {

    private static final String BASE = """
            version: 1
            gateway:
              listen: 127.0.0.1:8080
              upstream: https://central.example.org
            audit:
              path: audit.jsonl
            rules:
              - name: results
                methods: [POST]
                paths: ["/api/**"]
                content:
            """;
    private static final String RESULT_SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "properties": {
                "mean": {"type": "number"},
                "count": {"type": "integer", "minimum": 10}
              },
              "required": ["mean", "count"],
              "additionalProperties": false
            }
            """;

    @TempDir
    Path dir;
    private FingerprintIndex index;

    @BeforeEach
    void files() throws IOException {
        Files.createDirectories(dir.resolve("schemas"));
        Files.writeString(dir.resolve("schemas/result.schema.json"), RESULT_SCHEMA);
        index = patients(2);
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/patients.sfp"), index.toBytes());
    }

    /**
     * 60 rows: a unique id (rare, so never a pair column) and three columns of 11 to 13 values, each in about five
     * rows, which the builder pairs.
     */
    static FingerprintIndex patients(int k) {
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(List.of("id", "born", "town", "weight"))
                .k(k);
        for (int i = 0; i < 60; i++) {
            builder.addRow(List.of("p" + i, "19" + (40 + i % 12), "town" + i % 11, Integer.toString(50 + i % 13)));
        }
        return builder.build();
    }

    /** The policy with {@code content} (lines indented as under the key) written to dir/sluice.yaml, loaded. */
    private SluiceConfig load(String content) throws IOException, ConfigException {
        Path policy = dir.resolve("sluice.yaml");
        Files.writeString(policy, BASE + content.indent(6));
        return ConfigLoader.load(policy);
    }

    private ContentConfig content(String content) throws IOException, ConfigException {
        return load(content).rules().get(0).content();
    }

    /** Every problem of a policy that must not load, as "line:col: message" (the file name left out). */
    private List<String> problems(String content) throws IOException {
        try {
            load(content);
        } catch (ConfigException e) {
            List<String> problems = new ArrayList<>();
            for (Problem problem : e.problems()) {
                assertThat(problem.position().file()).isEqualTo(dir.resolve("sluice.yaml"));
                problems.add(problem.position().line() + ":" + problem.position().column() + ": " + problem.message());
            }
            return problems;
        }
        throw new AssertionError("expected the policy to be refused:\n" + content);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        ContentConfig content = content("""
                mode: report
                types: [application/JSON, text/*, application/json]
                jsonSchema: schemas/result.schema.json
                json: {maxDepth: 8, maxArrayLength: 1000, maxStringLength: 4096, maxNumbers: 10000}
                protectedData:
                  index: data/patients.sfp
                  k: 3
                  maxRows: 1
                  maxRareValues: 2
                  perJob: {maxRows: 10, maxRareValues: 20}
                  perWindow: {maxRows: 5, maxRareValues: 10}
                decode: {maxLayers: 2, maxRatio: 50, maxBytes: 1MiB}
                opaque: report
                opaqueEntropy: 7.25
                """);

        assertThat(content.mode()).isEqualTo(Mode.REPORT);
        assertThat(content.types()).containsExactly("application/json", "text/*");
        assertThat(content.jsonSchemaFile()).isEqualTo("schemas/result.schema.json");
        assertThat(content.jsonSchema()).isNotNull();
        assertThat(content.json()).isEqualTo(new ContentConfig.JsonLimits(8, 1000, 4096, 10000));
        ContentConfig.ProtectedData data = content.protectedData();
        assertThat(data.indexFile()).isEqualTo("data/patients.sfp");
        assertThat(data.index()).isEqualTo(index);
        assertThat(data.k()).isEqualTo(3);
        assertThat(data.maxRows()).isEqualTo(1);
        assertThat(data.maxRareValues()).isEqualTo(2);
        assertThat(data.cumulative()).isEqualTo(new CumulativeLimits(10, 20, 5, 10));
        assertThat(content.decode()).isEqualTo(new ContentConfig.Decode(2, 50, 1L << 20));
        assertThat(content.opaque()).isEqualTo(ContentConfig.Opaque.REPORT);
        assertThat(content.opaqueEntropy()).isEqualTo(7.25);
        assertThat(content.position()).isEqualTo(new Position(dir.resolve("sluice.yaml"), 12, 7));
        assertThat(load("types: [text/csv]").rules().get(0).positionOf("content"))
                .isEqualTo(new Position(dir.resolve("sluice.yaml"), 12, 7));
    }

    @Test
    void keysLeftOutTakeTheirDefaults() throws Exception {
        ContentConfig content = content("types: [text/csv]");

        assertThat(content.mode()).as("the rule's mode").isNull();
        assertThat(content.jsonSchemaFile()).isNull();
        assertThat(content.jsonSchema()).isNull();
        assertThat(content.json()).isNull();
        assertThat(content.protectedData()).isNull();
        assertThat(content.decode()).isEqualTo(ContentConfig.Decode.DEFAULTS);
        assertThat(content.opaque()).isEqualTo(ContentConfig.Opaque.DENY);
        assertThat(content.opaqueEntropy()).isEqualTo(ContentConfig.DEFAULT_OPAQUE_ENTROPY);
        assertThat(content("opaque: allow").types()).as("any type").isNull();
        assertThat(content("json: {maxNumbers: 0}").json())
                .isEqualTo(new ContentConfig.JsonLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        assertThat(content("decode: {maxLayers: 0}").decode())
                .isEqualTo(new ContentConfig.Decode(0, 100, 16L << 20));
    }

    @Test
    void protectedDataTakesKFromTheIndexAndRefusesAnyRowOrRareValueByDefault() throws Exception {
        Files.write(dir.resolve("data/patients.sfp"), patients(3).toBytes());

        ContentConfig.ProtectedData data = content("protectedData: {index: data/patients.sfp}").protectedData();

        assertThat(data.k()).isEqualTo(3);
        assertThat(data.maxRows()).isEqualTo(ContentConfig.ProtectedData.DEFAULT_MAX_ROWS).isZero();
        assertThat(data.maxRareValues()).isEqualTo(ContentConfig.ProtectedData.DEFAULT_MAX_RARE_VALUES).isZero();
        assertThat(data.cumulative()).isEqualTo(CumulativeLimits.NONE);
        assertThat(content("protectedData: {index: data/patients.sfp, perWindow: {maxRareValues: 0}}")
                .protectedData().cumulative())
                .isEqualTo(new CumulativeLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0));
    }

    @Test
    void aRuleWithoutContentHasNone() throws Exception {
        Path policy = dir.resolve("sluice.yaml");
        Files.writeString(policy, BASE.replace("    content:\n", ""));

        assertThat(ConfigLoader.load(policy).rules().get(0).content()).isNull();
    }

    @Test
    void opaqueEntropyIsAboveZeroAndAtMostEight() throws Exception {
        assertThat(content("opaqueEntropy: 8").opaqueEntropy()).isEqualTo(8.0);
        assertThat(content("opaqueEntropy: 0.01").opaqueEntropy()).isEqualTo(0.01);
        assertThat(problems("opaqueEntropy: 0")).containsExactly("12:22: rules[0].content.opaqueEntropy: expected "
                + "bits per byte, a number above 0 and at most 8 (default 7.5), got '0'");
        assertThat(problems("opaqueEntropy: 8.01")).singleElement().asString().endsWith("got '8.01'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            typs: [application/json]                     | 12:7: unknown key 'typs' under rules[0].content; expected one of: mode, types, jsonSchema, json, protectedData, decode, opaque, opaqueEntropy
            {}                                           | 12:7: rules[0].content: no check is set; write at least one of mode, types, jsonSchema, json, protectedData, decode, opaque, opaqueEntropy, or remove content
            [types]                                      | 12:7: rules[0].content: expected a mapping with keys mode
            mode: audit                                  | 12:13: rules[0].content.mode: expected enforce or report, got 'audit'
            types: application/json                      | 12:14: rules[0].content.types: expected a list of strings
            types: []                                    | 12:14: rules[0].content.types: expected at least one media type
            types: [json]                                | 12:15: rules[0].content.types: 'json' is not a media type; expected type/subtype or type/*
            types: ['application/json; charset=utf-8']   | 12:15: rules[0].content.types: 'application/json; charset=utf-8' has parameters
            types: ['*/*']                               | 12:15: rules[0].content.types: '*/*' accepts any type; leave types out
            types: ['application/js on']                 | 12:15: rules[0].content.types: 'application/js on' is not a media type
            types: [text/csv, {a: b}]                    | 12:25: rules[0].content.types[1]: expected a string, got a mapping
            jsonSchema: [a.json]                         | 12:19: rules[0].content.jsonSchema: expected a file name, got a list
            json: {}                                     | 12:13: rules[0].content.json: no limit is set; write at least one of maxDepth, maxArrayLength, maxStringLength, maxNumbers
            json: {maxDepth: -1}                         | 12:24: rules[0].content.json.maxDepth: expected a whole number from 0 to 2147483647, got '-1'
            json: {maxNumbers: many}                     | 12:26: rules[0].content.json.maxNumbers: expected a whole number from 0 to 2147483647, got 'many'
            json: {maxArrayLength: 2147483648}           | 12:30: rules[0].content.json.maxArrayLength: expected a whole number from 0 to 2147483647
            json: {maxKeys: 3}                           | 12:14: unknown key 'maxKeys' under rules[0].content.json; expected one of: maxDepth, maxArrayLength, maxStringLength, maxNumbers
            json: 10                                     | 12:13: rules[0].content.json: expected a mapping with keys maxDepth
            decode: {maxLayers: 17}                      | 12:27: rules[0].content.decode.maxLayers: expected a whole number from 0 to 16, got '17'
            decode: {maxRatio: 0}                        | 12:26: rules[0].content.decode.maxRatio: expected a whole number from 1 to 100000, got '0'
            decode: {maxBytes: 0}                        | 12:26: rules[0].content.decode.maxBytes: expected a size from 1 to 1073741824 bytes, got '0'
            decode: {maxBytes: 2GiB}                     | 12:26: rules[0].content.decode.maxBytes: expected a size from 1 to 1073741824 bytes, got '2GiB'
            decode: {maxBytes: lots}                     | 12:26: rules[0].content.decode.maxBytes: bad size 'lots'
            decode: {depth: 2}                           | 12:16: unknown key 'depth' under rules[0].content.decode
            opaque: refuse                               | 12:15: rules[0].content.opaque: expected deny, report or allow, got 'refuse'
            opaqueEntropy: -1                            | 12:22: rules[0].content.opaqueEntropy: expected bits per byte, a number above 0 and at most 8
            opaqueEntropy: high                          | 12:22: rules[0].content.opaqueEntropy: expected bits per byte, a number above 0 and at most 8
            protectedData: {k: 2}                        | 12:22: missing key 'index' under rules[0].content.protectedData; expected the fingerprint index
            protectedData: {index: data/patients.sfp, k: 1}          | 12:52: rules[0].content.protectedData.k: expected a whole number from 2 to 255, got '1'
            protectedData: {index: data/patients.sfp, k: 256}        | 12:52: rules[0].content.protectedData.k: expected a whole number from 2 to 255, got '256'
            protectedData: {index: data/patients.sfp, maxRows: -1}   | 12:58: rules[0].content.protectedData.maxRows: expected a whole number from 0 to 2147483647, got '-1'
            protectedData: {index: data/patients.sfp, maxRareValues: x} | 12:64: rules[0].content.protectedData.maxRareValues: expected a whole number
            protectedData: {index: data/patients.sfp, perJob: {}}    | 12:57: rules[0].content.protectedData.perJob: no limit is set; write maxRows, maxRareValues or both
            protectedData: {index: data/patients.sfp, perJob: {rows: 1}}        | 12:58: unknown key 'rows' under rules[0].content.protectedData.perJob; expected one of: maxRows, maxRareValues
            protectedData: {index: data/patients.sfp, perWindow: {maxRows: -5}} | 12:70: rules[0].content.protectedData.perWindow.maxRows: expected a whole number from 0
            protectedData: {index: data/patients.sfp, salt: 1}       | 12:49: unknown key 'salt' under rules[0].content.protectedData; expected one of: index, k, maxRows, maxRareValues, perJob, perWindow
            """)
    void aBadValueIsRefusedAtItsPosition(String content, String expected) throws IOException {
        // The table's text is the line under content: (line 12, from column 7), so its columns are the file's.
        assertThat(problems(content)).singleElement().asString().startsWith(expected);
    }

    @Test
    void contentOnAConnectRuleIsRefused() throws IOException {
        Path policy = dir.resolve("sluice.yaml");
        Files.writeString(policy, """
                version: 1
                forward: {listen: 127.0.0.1:3128}
                audit: {path: audit.jsonl}
                rules:
                  - name: tunnel
                    methods: [CONNECT]
                    hosts: [central.example.org]
                    content: {types: [application/json]}
                """);

        assertThatThrownBy(() -> ConfigLoader.load(policy)).isInstanceOf(ConfigException.class)
                .hasMessage(policy + ":8:14: rules[0].content: a CONNECT rule matches a tunnel, whose requests are "
                        + "encrypted inside TLS, so their bodies cannot be checked; remove content, and use a "
                        + "plain-HTTP rule or the gateway where content matters");
    }

    @Test
    void missingFilesAreNamedAtTheirKey() throws IOException {
        assertThat(problems("jsonSchema: schemas/missing.json")).containsExactly("12:19: rules[0].content.jsonSchema: "
                + "no such file '" + dir.resolve("schemas/missing.json") + "'; expected a JSON Schema file (draft "
                + "2020-12), e.g. schemas/result.schema.json (a relative name is read from the config file's folder)");
        assertThat(problems("protectedData: {index: data/missing.sfp}")).containsExactly("12:30: rules[0].content."
                + "protectedData.index: no such file '" + dir.resolve("data/missing.sfp") + "'; expected a "
                + "fingerprint index (.sfp) built with ./sluice fingerprint build (a relative name is read from the "
                + "config file's folder)");
        assertThat(problems("jsonSchema: schemas")).singleElement().asString()
                .startsWith("12:19: rules[0].content.jsonSchema: no such file '" + dir.resolve("schemas") + "'");
    }

    @Test
    void aCorruptOrTruncatedIndexIsRefusedWithTheReason() throws IOException {
        byte[] good = index.toBytes();
        // A bit changed anywhere in the tables or the checksum: whether or not it breaks a table's coding first
        for (int at = good.length / 2; at < good.length; at += Math.max(1, good.length / 16)) {
            byte[] flipped = good.clone();
            flipped[at] ^= 0x01;
            Files.write(dir.resolve("data/patients.sfp"), flipped);

            assertThat(problems("protectedData: {index: data/patients.sfp}")).as("bit 0 of byte %d", at)
                    .containsExactly("12:30: rules[0].content.protectedData.index: '" + dir.resolve("data/patients.sfp")
                            + "' is not a usable fingerprint index: corrupt: the checksum does not match (the file was "
                            + "changed or damaged after it was written): rebuild it");
        }

        Files.write(dir.resolve("data/patients.sfp"), Arrays.copyOf(good, 20));
        assertThat(problems("protectedData: {index: data/patients.sfp}")).singleElement().asString()
                .contains("is not a usable fingerprint index: truncated: the file ends inside its header");
        Files.writeString(dir.resolve("data/patients.sfp"), "id,name\n1,Ann\n");
        assertThat(problems("protectedData: {index: data/patients.sfp}")).singleElement().asString()
                .contains("is not a usable fingerprint index: not a fingerprint index");
    }

    @Test
    void kIsAtMostTheIndexsPairColumns() throws Exception {
        assertThat(index.pairColumns()).containsExactly("born", "town", "weight");
        assertThat(content("protectedData: {index: data/patients.sfp, k: 3}").protectedData().k()).isEqualTo(3);

        assertThat(problems("protectedData: {index: data/patients.sfp, k: 4}")).containsExactly("12:52: rules[0]."
                + "content.protectedData.k: 4 is more cells than the index can see together in one row: it pairs 3 "
                + "columns (born, town, weight); set k from 2 to 3");
        Files.write(dir.resolve("data/patients.sfp"), patients(5).toBytes());
        assertThat(problems("protectedData: {index: data/patients.sfp}")).containsExactly("12:30: rules[0].content."
                + "protectedData.k: 5 (the index's own k) is more cells than the index can see together in one row: "
                + "it pairs 3 columns (born, town, weight); set k from 2 to 3");
    }

    @Test
    void theSchemaIsCompiledAsDraft202012AndValidates() throws Exception {
        ContentConfig content = content("jsonSchema: schemas/result.schema.json");
        ObjectMapper json = new ObjectMapper();

        assertThat(content.jsonSchema().validate(json.readTree("{\"mean\": 4.5, \"count\": 12}"))).isEmpty();
        assertThat(content.jsonSchema().validate(json.readTree("{\"mean\": 4.5, \"count\": 3}"))).hasSize(1);
        assertThat(content.jsonSchema().validate(json.readTree("{\"mean\": 4.5, \"count\": 12, \"rows\": []}")))
                .isNotEmpty();
    }

    @Test
    void aSchemaWithoutDollarSchemaIsReadAs202012AndYamlIsRead() throws Exception {
        // prefixItems exists only since 2020-12: a tuple of [number, string] refuses a string in first place.
        Files.writeString(dir.resolve("schemas/pair.schema.yaml"), """
                type: array
                prefixItems:
                  - {type: number}
                  - {type: string}
                """);
        ContentConfig content = content("jsonSchema: schemas/pair.schema.yaml");
        ObjectMapper json = new ObjectMapper();

        assertThat(content.jsonSchema().validate(json.readTree("[1, \"a\"]"))).isEmpty();
        assertThat(content.jsonSchema().validate(json.readTree("[\"a\", 1]"))).isNotEmpty();
    }

    @Test
    void aSchemaSyntaxErrorNamesTheLineAndColumnInTheSchemaFile() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), "{\n  \"type\": \"object\",\n  \"required\": "
                + "[\"mean\",]\n}\n");

        assertThat(problems("jsonSchema: schemas/result.schema.json")).singleElement().asString()
                .startsWith("12:19: rules[0].content.jsonSchema: " + dir.resolve("schemas/result.schema.json")
                        + ":3:23: malformed JSON: Unexpected character (']'");
    }

    @Test
    void aSchemaWithADuplicateKeyOrTrailingTextIsMalformed() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), "{\"type\": \"object\",\n \"type\": \"array\"}");
        assertThat(problems("jsonSchema: schemas/result.schema.json")).singleElement().asString()
                .contains("result.schema.json:2:").contains("malformed JSON: Duplicate field 'type'");

        Files.writeString(dir.resolve("schemas/result.schema.json"), "{\"type\": \"object\"} {}");
        assertThat(problems("jsonSchema: schemas/result.schema.json")).singleElement().asString()
                .contains("result.schema.json:1:").contains("malformed JSON: Trailing token");

        Files.writeString(dir.resolve("schemas/result.schema.json"), "");
        assertThat(problems("jsonSchema: schemas/result.schema.json")).singleElement().asString()
                .contains("result.schema.json:1:1: the file is empty");
    }

    @Test
    void aSchemaThatIsNotValid202012IsRefusedAtTheBadKeyword() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), """
                {
                  "type": "object",
                  "properties": {
                    "mean": {"type": "numbr"},
                    "count": {"minimum": "ten"}
                  }
                }
                """);

        List<String> problems = problems("jsonSchema: schemas/result.schema.json");

        String file = dir.resolve("schemas/result.schema.json").toString();
        assertThat(problems).isNotEmpty().allSatisfy(p -> assertThat(p)
                .startsWith("12:19: rules[0].content.jsonSchema: " + file + ":"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(file + ":4:22: not a valid JSON Schema (draft "
                + "2020-12): /properties/mean/type: "));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(file + ":5:26: not a valid JSON Schema (draft "
                + "2020-12): /properties/count/minimum: string found, number expected"));
    }

    @Test
    void aYamlSchemaErrorIsPlacedInTheYamlFile() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.yml"), """
                type: object
                properties:
                  mean:
                    type: numbr
                """);

        assertThat(problems("jsonSchema: schemas/result.schema.yml")).isNotEmpty().allSatisfy(p -> assertThat(p)
                .startsWith("12:19: rules[0].content.jsonSchema: " + dir.resolve("schemas/result.schema.yml")
                        + ":4:11: not a valid JSON Schema (draft 2020-12): /properties/mean/type: "));

        Files.writeString(dir.resolve("schemas/result.schema.yml"), "type: object\nproperties: [a\n");
        assertThat(problems("jsonSchema: schemas/result.schema.yml")).singleElement().asString()
                .contains("result.schema.yml:").contains(": malformed YAML: ");
    }

    @Test
    void aSchemaOfAnotherDraftIsRefusedSayingWhichIsSupported() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), """
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}
                """);

        assertThat(problems("jsonSchema: schemas/result.schema.json")).containsExactly("12:19: rules[0].content."
                + "jsonSchema: " + dir.resolve("schemas/result.schema.json") + ":1:13: $schema 'http://json-schema.org"
                + "/draft-07/schema#' is not supported: Sluice validates with JSON Schema draft 2020-12 only; write "
                + "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\" or leave $schema out");
    }

    @Test
    void aReferenceOutsideTheSchemaFileIsRefusedBeforeAnythingIsFetched() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), """
                {
                  "type": "object",
                  "properties": {
                    "mean": {"$ref": "https://schemas.example.org/mean.json"},
                    "count": {"$ref": "count.json"},
                    "n": {"$ref": "#/$defs/n"},
                    "note": {"const": {"$ref": "http://not.a.reference.example.org/"}}
                  },
                  "$defs": {"n": {"type": "integer"}}
                }
                """);
        Files.writeString(dir.resolve("schemas/count.json"), "{\"type\": \"integer\"}");

        String file = dir.resolve("schemas/result.schema.json").toString();
        assertThat(problems("jsonSchema: schemas/result.schema.json")).containsExactly(
                "12:19: rules[0].content.jsonSchema: " + file + ":4:22: $ref 'https://schemas.example.org/mean.json' "
                        + "would be fetched over the network, which Sluice never does; copy the referenced schema "
                        + "under $defs in this file and refer to it as \"#/$defs/NAME\"",
                "12:19: rules[0].content.jsonSchema: " + file + ":5:23: $ref 'count.json' points outside this file, "
                        + "and Sluice loads a schema from one file only; copy the referenced schema under $defs in "
                        + "this file and refer to it as \"#/$defs/NAME\"");
    }

    @Test
    void referencesInsideTheFileAreFollowed() throws Exception {
        Files.writeString(dir.resolve("schemas/result.schema.json"), """
                {
                  "$id": "https://schemas.example.org/result.json",
                  "type": "object",
                  "properties": {"count": {"$ref": "#/$defs/count"}, "mean": {"$ref": "#number"}},
                  "$defs": {"count": {"type": "integer", "minimum": 10}, "n": {"$anchor": "number", "type": "number"}}
                }
                """);
        ContentConfig content = content("jsonSchema: schemas/result.schema.json");
        ObjectMapper json = new ObjectMapper();

        assertThat(content.jsonSchema().validate(json.readTree("{\"count\": 12, \"mean\": 1.5}"))).isEmpty();
        assertThat(content.jsonSchema().validate(json.readTree("{\"count\": 9}"))).hasSize(1);
        assertThat(content.jsonSchema().validate(json.readTree("{\"count\": 12, \"mean\": \"x\"}"))).hasSize(1);
    }

    @Test
    void manyMetaSchemaErrorsAreCutAfterFive() throws IOException {
        StringBuilder schema = new StringBuilder("{\"properties\": {");
        for (int i = 0; i < 8; i++) {
            schema.append(i == 0 ? "" : ", ").append("\"p").append(i).append("\": {\"minimum\": \"x\"}");
        }
        Files.writeString(dir.resolve("schemas/result.schema.json"), schema.append("}}").toString());

        List<String> problems = problems("jsonSchema: schemas/result.schema.json");

        assertThat(problems).hasSize(6);
        assertThat(problems.get(5)).endsWith(":1:1: 3 more error(s) against the draft 2020-12 meta-schema not shown");
    }

    @Test
    void aReferenceInsideTheFileThatGoesNowhereIsRefusedAtLoad() throws IOException {
        Files.writeString(dir.resolve("schemas/result.schema.json"), """
                {"type": "object", "properties": {"n": {"$ref": "#/$defs/missing"}}}
                """);

        assertThat(problems("jsonSchema: schemas/result.schema.json")).singleElement().asString()
                .startsWith("12:19: rules[0].content.jsonSchema: " + dir.resolve("schemas/result.schema.json")
                        + ":1:1: cannot compile the schema: ");
    }

    @Test
    void referencedFilesAreResolvedInTheOrderTheyAreNamedEachOnce() throws Exception {
        Path policy = dir.resolve("sluice.yaml");
        Files.writeString(policy, BASE + """
                      protectedData: {index: data/../data/patients.sfp}
                      jsonSchema: schemas/result.schema.json
                  - name: more-results
                    methods: [PUT]
                    paths: ["/api/**"]
                    content: {protectedData: {index: data/patients.sfp}}
                """);

        SluiceConfig config = ConfigLoader.load(policy);

        assertThat(config.referencedFiles()).containsExactly(dir.resolve("schemas/result.schema.json"),
                dir.resolve("data/patients.sfp"));
        assertThat(load("types: [text/csv]").referencedFiles()).isEmpty();
    }

    @Test
    void withoutReferencedFilesThePolicyHashIsTheFilesOwnSha256() throws Exception {
        Path policy = dir.resolve("sluice.yaml");
        Files.writeString(policy, BASE + "      types: [application/json]\n");

        assertThat(ConfigLoader.load(policy).sha256()).isEqualTo(ConfigLoader.sha256(Files.readAllBytes(policy)));
    }

    @Test
    void thePolicyHashCoversTheSchemaAndTheIndexAsSha256sumListsThem() throws Exception {
        String content = """
                jsonSchema: schemas/result.schema.json
                protectedData: {index: data/patients.sfp}
                """;
        SluiceConfig config = load(content);
        byte[] yaml = Files.readAllBytes(dir.resolve("sluice.yaml"));
        String listed = ConfigLoader.sha256(yaml) + "\n"
                + ConfigLoader.sha256(Files.readAllBytes(dir.resolve("schemas/result.schema.json")))
                + "  schemas/result.schema.json\n"
                + ConfigLoader.sha256(Files.readAllBytes(dir.resolve("data/patients.sfp"))) + "  data/patients.sfp\n";

        assertThat(config.sha256()).isEqualTo(ConfigLoader.sha256(listed.getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(ConfigLoader.sha256(yaml));

        // The same YAML with another index (another salt) is another policy.
        Files.write(dir.resolve("data/patients.sfp"), patients(2).toBytes());
        assertThat(load(content).sha256()).isNotEqualTo(config.sha256());
        Files.writeString(dir.resolve("schemas/result.schema.json"), RESULT_SCHEMA.replace("10", "11"));
        assertThat(load(content).sha256()).isNotEqualTo(config.sha256());
    }
}
