package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void quotesWhatWouldBreakAJsonString() {
        assertThat(Json.quote("a\"b\\c\nd\re\tf\u0001g\u007fh")).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh\"");
        assertThat(Json.quote("é/ü")).isEqualTo("\"é/ü\"");
    }
}
