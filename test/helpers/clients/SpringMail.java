// Sends one message the way Spring Boot's JavaMailSenderImpl does with the application.properties
// read from stdin: spring.mail.host/port/username/password/protocol, and every
// spring.mail.properties.* handed to Jakarta Mail as is. ${VAR} placeholders come from the
// environment, as Spring resolves them.
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class SpringMail {
  public static void main(String[] args) throws Exception {
    Properties spring = new Properties();
    spring.load(new BufferedReader(new InputStreamReader(System.in)));
    Properties javaMail = new Properties();
    for (String name : spring.stringPropertyNames()) {
      if (name.startsWith("spring.mail.properties.")) {
        javaMail.put(name.substring("spring.mail.properties.".length()), resolve(spring.getProperty(name)));
      }
    }
    Session session = Session.getInstance(javaMail);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("you@example.com"));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress("to@example.com"));
    message.setSubject("pasted");
    message.setText("hello");
    Transport transport = session.getTransport(spring.getProperty("spring.mail.protocol", "smtp"));
    transport.connect(
        resolve(spring.getProperty("spring.mail.host")),
        Integer.parseInt(resolve(spring.getProperty("spring.mail.port"))),
        resolve(spring.getProperty("spring.mail.username")),
        resolve(spring.getProperty("spring.mail.password")));
    transport.sendMessage(message, message.getAllRecipients());
    transport.close();
    System.out.println("sent");
  }

  private static String resolve(String value) {
    if (value == null) return null;
    Matcher placeholder = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}").matcher(value);
    StringBuilder resolved = new StringBuilder();
    while (placeholder.find()) {
      String env = System.getenv(placeholder.group(1));
      placeholder.appendReplacement(resolved, Matcher.quoteReplacement(env == null ? "" : env));
    }
    placeholder.appendTail(resolved);
    return resolved.toString();
  }
}
