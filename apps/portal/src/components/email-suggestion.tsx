import { run as suggestEmail } from '@zootools/email-spell-checker';

/** A likely correction of a mistyped email domain (walker@gmial.com → walker@gmail.com), or null. */
export function emailSuggestionFor(email: string): string | null {
  const typed = email.trim();
  if (!typed.includes('@')) return null;
  const suggestion = suggestEmail({ email: typed });
  return suggestion && suggestion.full.toLowerCase() !== typed.toLowerCase() ? suggestion.full : null;
}

/** "Did you mean walker@gmail.com?" under an email field; the address is a button that accepts it. */
export function EmailSuggestion({ suggestion, onAccept }: { suggestion: string | null; onAccept(email: string): void }) {
  return (
    <p className="hint email-suggestion" role="status">
      {suggestion && (
        <>
          Did you mean{' '}
          <button type="button" className="link-button" onClick={() => onAccept(suggestion)}>
            {suggestion}
          </button>
          ?
        </>
      )}
    </p>
  );
}
