/** XEP-0352 Client State Indication: the stream feature and the active/inactive nonzas. */
package org.kaiku.protocol.ext.csi;
