package org.kaiku.engine.muc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.junit.jupiter.api.Test;

/** muc#roomconfig_maxusers (XEP-0045 section 10.2): the form suggests sizes, any number up to the service's maximum is taken. */
class RoomConfigTest {
    private static DataForm submit(String maxUsers) {
        return new DataForm("submit", null, List.of(), List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", Muc.ROOMCONFIG),
                new DataForm.Field("muc#roomconfig_maxusers", null, null, false, List.of(maxUsers), List.of(), null)));
    }

    @Test
    void maxUsersTakesAnyNumberUpToTheServiceMaximum() {
        RoomConfig base = RoomConfig.defaults(200);
        assertThat(base.form(200).field("muc#roomconfig_maxusers").orElseThrow().options()).extracting(DataForm.Option::value)
                .doesNotContain("2");
        assertThat(base.apply(submit("2"), 200).maxUsers()).isEqualTo(2);
        assertThat(base.apply(submit("30"), 200).maxUsers()).isEqualTo(30);
        assertThat(base.apply(submit("5000"), 200).maxUsers()).as("lowered to the service's maximum").isEqualTo(200);
    }

    @Test
    void maxUsersBelowOneOrNotANumberIsRefused() {
        RoomConfig base = RoomConfig.defaults(200);
        assertThatThrownBy(() -> base.apply(submit("0"), 200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxusers");
        assertThatThrownBy(() -> base.apply(submit("many"), 200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxusers");
    }
}
