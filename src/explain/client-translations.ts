/**
 * Turns a client's translated error messages back into its English ones, so that the rules (which
 * know each client's English words) recognise them too. PHPMailer translates its own messages
 * (`$mail->setLanguage('de')` prints "SMTP-Fehler: Authentifizierung fehlgeschlagen."), while the
 * server's reply and its SMTP class's debug output stay as they were.
 */
import {
  PHPMAILER_ENGLISH,
  PHPMAILER_TRANSLATIONS,
  type PhpMailerMessageKey,
} from './phpmailer-translations.js';

// The punctuation a message ends with (`.`, `:`, `：`, `。`), left in the text rather than matched.
const TRAILING_PUNCTUATION = /[\s.:：。।]+$/u;

interface Translation {
  /** The translated message, flexible where spellings of one language vary. */
  pattern: RegExp;
  /** Its longest word, lower-cased: a text without it cannot hold the message (a quick test first). */
  anchor: string;
  english: string;
}

/**
 * A translated message as a pattern: any space or hyphen between words matches any other (older
 * files and other PHPMailer versions write "SMTP Fehler" for "SMTP-Fehler"), and an apostrophe
 * with or without the backslash PHPMailer 6 leaves in front of it.
 */
function translation(message: string, english: string): Translation {
  const words = message.replace(TRAILING_PUNCTUATION, '').split(/[\s-]+/u);
  const pattern = words
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\\'/g, "\\\\?'"))
    .join('[\\s-]*');
  const plainWords = words.filter((word) => !word.includes("'"));
  const anchor = plainWords.reduce((longest, word) => (word.length > longest.length ? word : longest), '');
  return {
    pattern: new RegExp(pattern, 'giu'),
    anchor: anchor.toLowerCase(),
    english: english.replace(TRAILING_PUNCTUATION, ''),
  };
}

const TRANSLATIONS: readonly Translation[] = Object.values(PHPMAILER_TRANSLATIONS)
  .flatMap((messages) =>
    Object.entries(messages).map(([key, message]) =>
      translation(message, PHPMAILER_ENGLISH[key as PhpMailerMessageKey]),
    ),
  )
  // The longest first, so that a message is not cut short by another that begins it.
  .sort((a, b) => b.pattern.source.length - a.pattern.source.length);

/** The text with every translated client message it holds in English. */
export function translateClientMessages(text: string): string {
  const lowerCased = text.toLowerCase();
  let translated = text;
  for (const { pattern, anchor, english } of TRANSLATIONS) {
    if (lowerCased.includes(anchor)) translated = translated.replace(pattern, () => english);
  }
  return translated;
}
