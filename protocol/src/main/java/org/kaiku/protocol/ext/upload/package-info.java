/**
 * XEP-0363: HTTP File Upload, version 1.2.0. A client asks the upload service for a slot (a PUT
 * URL with headers, and the GET URL the file will have), uploads over HTTPS, and shares the GET URL.
 */
package org.kaiku.protocol.ext.upload;
