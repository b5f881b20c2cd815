package org.kaiku.protocol.ext.muc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0045's item, affiliations, roles and status codes as the room and its clients exchange them. */
class MucTest {

    @Test
    void itemRoundTripsInBothNamespaces() {
        Muc.Item item = new Muc.Item("member", "participant", "bob@example.com/phone", "Bob", "welcome <back>");
        for (String ns : new String[] {Muc.USER, Muc.ADMIN}) {
            XmlElement e = item.toElement(ns);
            assertThat(e.namespace()).isEqualTo(ns);
            assertThat(Muc.Item.fromElement(e)).isEqualTo(item);
        }
        Muc.Item bare = new Muc.Item("outcast", null, "eve@example.com", null, null);
        assertThat(bare.toElement(Muc.ADMIN).attributes()).containsOnlyKeys("affiliation", "jid");
        assertThat(Muc.Item.fromElement(bare.toElement(Muc.ADMIN))).isEqualTo(bare);
    }

    @Test
    void affiliationsRolesAndStatusCodesUseTheXepsNames() {
        assertThat(Muc.Affiliation.of("owner")).isEqualTo(Muc.Affiliation.OWNER);
        assertThat(Muc.Affiliation.of("Owner")).isNull();
        assertThat(Muc.Affiliation.of(null)).isNull();
        assertThat(Muc.Role.of("visitor")).isEqualTo(Muc.Role.VISITOR);
        assertThat(Muc.Role.MODERATOR.value()).isEqualTo("moderator");
        XmlElement status = Muc.status(Muc.SELF);
        assertThat(status.is("status", "http://jabber.org/protocol/muc#user")).isTrue();
        assertThat(status.attr("code")).isEqualTo("110");
    }
}
