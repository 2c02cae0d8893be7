package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sluice.proxy.deploy.Dockerfile.Instruction;
import org.sluice.proxy.deploy.Dockerfile.Stage;

/** The small Dockerfile reader that DockerFilesTest relies on: it must read what Docker reads. */
class DockerfileTest {

    @Test
    void joinsContinuedLinesSkipsCommentsInsideThemAndSplitsStages() {
        Dockerfile dockerfile = Dockerfile.parse("""
                # syntax comment
                ARG BASE=debian
                FROM maven:3.9-eclipse-temurin-17 AS build
                RUN first \\
                # a comment line inside a continuation is dropped, as Docker does

                    && second
                FROM --platform=linux/amd64 debian:bookworm-slim as final
                copy --from=build --chmod=0755 /a /b
                USER 10001:10001
                """);

        assertThat(dockerfile.stages()).extracting(Stage::name).containsExactly("build", "final");
        assertThat(dockerfile.stage("build").orElseThrow().all("RUN")).extracting(Instruction::arguments)
                .containsExactly("first && second");
        Stage last = dockerfile.last();
        assertThat(last.base()).isEqualTo("debian:bookworm-slim");
        Instruction copy = last.all("COPY").get(0);
        assertThat(copy.flag("from")).contains("build");
        assertThat(copy.flag("chmod")).contains("0755");
        assertThat(copy.withoutFlags()).isEqualTo("/a /b");
        assertThat(last.last("USER").orElseThrow().arguments()).isEqualTo("10001:10001");
    }

    @Test
    void refusesWhatItCannotReadInsteadOfGuessing() {
        assertThatThrownBy(() -> Dockerfile.parse("RUN before-from\n")).hasMessageContaining("before any FROM");
        assertThatThrownBy(() -> Dockerfile.parse("FROM a\nRUN x \\\n")).hasMessageContaining("continued line");
    }
}
