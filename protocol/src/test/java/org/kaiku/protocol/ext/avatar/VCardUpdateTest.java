package org.kaiku.protocol.ext.avatar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0153 hashes (section 2, 4.4) and the XEP-0398 section 4 presence rule. */
class VCardUpdateTest {
    /** SHA-1 of the three bytes "abc" (RFC 3174 section 7.3, test 1). */
    private static final String ABC_SHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d";

    private static XmlElement vcard(String photo) throws Exception {
        return decodeByteByByte("<vCard xmlns='vcard-temp'><FN>Juliet</FN>" + photo + "</vCard>");
    }

    @Test
    void theHashIsOfTheDecodedImageInLowerCaseHex() throws Exception {
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><TYPE>image/png</TYPE><BINVAL>YWJj</BINVAL></PHOTO>"))).isEqualTo(ABC_SHA1);
        // section 4.4: line breaks and other whitespace in the base64 are ignored
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><BINVAL>\n  YW\r\n\tJj \n</BINVAL></PHOTO>"))).isEqualTo(ABC_SHA1);
    }

    @Test
    void noUsableImageHasTheEmptyHash() throws Exception {
        assertThat(VCardUpdate.photoHash(null)).isEmpty();
        assertThat(VCardUpdate.photoHash(vcard(""))).isEmpty();
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><TYPE>image/png</TYPE></PHOTO>"))).isEmpty();
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><BINVAL/></PHOTO>"))).isEmpty();
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><EXTVAL>http://example.com/a.png</EXTVAL></PHOTO>"))).isEmpty();
        // not base64: no image a contact could decode
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><BINVAL>not base64 at all!!</BINVAL></PHOTO>"))).isEmpty();
        assertThat(VCardUpdate.photoHash(vcard("<PHOTO><BINVAL>YWJ</BINVAL></PHOTO>"))).isEmpty();
    }

    @Test
    void theServerAddsItsHashWhereXep0398SaysSo() throws Exception {
        XmlElement plain = decodeByteByByte("<presence xmlns='jabber:client'><show>away</show></presence>");
        XmlElement withHash = VCardUpdate.inject(plain, ABC_SHA1);
        assertThat(VCardUpdate.advertised(withHash)).isEqualTo(ABC_SHA1);
        assertThat(withHash.childText("show", "jabber:client")).isEqualTo("away");
        assertThat(withHash.toXml()).contains("<x xmlns=\"vcard-temp:x:update\"><photo>" + ABC_SHA1 + "</photo></x>");

        // no image: an empty photo (XEP-0153 section 4.1)
        assertThat(VCardUpdate.advertised(VCardUpdate.inject(plain, ""))).isEmpty();
        // unknown hash: nothing added
        assertThat(VCardUpdate.inject(plain, null)).isEqualTo(plain);

        // an <x/> without photo is overwritten
        XmlElement emptyX = decodeByteByByte("<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'/></presence>");
        XmlElement overwritten = VCardUpdate.inject(emptyX, ABC_SHA1);
        assertThat(overwritten.elements("x", VCardUpdate.NAMESPACE)).hasSize(1);
        assertThat(VCardUpdate.advertised(overwritten)).isEqualTo(ABC_SHA1);

        // the client's empty photo, and its own hash, stay as they are
        XmlElement emptyPhoto = decodeByteByByte("<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo/></x></presence>");
        assertThat(VCardUpdate.inject(emptyPhoto, ABC_SHA1)).isEqualTo(emptyPhoto);
        XmlElement own = decodeByteByByte("<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo>0123</photo></x></presence>");
        assertThat(VCardUpdate.inject(own, ABC_SHA1)).isEqualTo(own);
        assertThat(VCardUpdate.advertised(plain)).isNull();
    }
}
