// Sends one message with Jakarta Mail, configured from MP_* variables; exceptions are left
// uncaught, so the output is the stack trace an application's log shows.
import jakarta.mail.Message;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Properties;

public class Send {
  public static void main(String[] args) throws Exception {
    String tls = System.getenv("MP_TLS");
    String user = System.getenv("MP_USER");
    Properties props = new Properties();
    props.put("mail.smtp.host", System.getenv("MP_HOST"));
    props.put("mail.smtp.port", System.getenv("MP_PORT"));
    String timeout = System.getenv("MP_TIMEOUT");
    String millis = String.valueOf(1000 * (timeout == null ? 2 : Integer.parseInt(timeout)));
    props.put("mail.smtp.connectiontimeout", millis);
    props.put("mail.smtp.timeout", millis);
    props.put("mail.smtp.ssl.enable", String.valueOf("implicit".equals(tls)));
    props.put("mail.smtp.starttls.enable", String.valueOf("starttls".equals(tls)));
    props.put("mail.smtp.starttls.required", String.valueOf("starttls".equals(tls)));
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    props.put("mail.smtp.auth", String.valueOf(user != null));
    // The sandbox CA joins the trust store, as `-Djavax.net.ssl.trustStore=...` would do it.
    String ca = System.getenv("MP_CA");
    if (ca != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      try (FileInputStream in = new FileInputStream(ca)) {
        store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      File file = File.createTempFile("truststore", ".p12");
      file.deleteOnExit();
      try (FileOutputStream out = new FileOutputStream(file)) {
        store.store(out, "changeit".toCharArray());
      }
      System.setProperty("javax.net.ssl.trustStore", file.getPath());
      System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    }
    Session session = Session.getInstance(props, new jakarta.mail.Authenticator() {
      protected PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(user, System.getenv("MP_PASS"));
      }
    });
    MimeMessage message = new MimeMessage(session);
    String from = System.getenv("MP_FROM");
    message.setFrom(new InternetAddress(from == null ? "alice@example.com" : from));
    String to = System.getenv("MP_TO");
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to == null ? "bob@example.com" : to));
    message.setSubject("test");
    String size = System.getenv("MP_BODY_BYTES");
    message.setText("x".repeat(size == null ? 10 : Integer.parseInt(size)));
    Transport.send(message);
    System.out.println("sent");
  }
}
