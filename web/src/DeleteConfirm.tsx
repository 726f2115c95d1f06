// Asked of an operator deleting someone else's line (one's own goes at one click): a modal
// dialog quoting the line, saying that the deletion is seen as theirs, with an optional reason
// (IRCv3 draft/message-redaction carries it to everyone told). A native <dialog> opened with
// showModal: focus starts in the reason field and stays in the dialog, Escape cancels, Enter
// in the field deletes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { plainText } from '../../src/clients/format.ts';
import type { ChatLine } from '../../src/clients/model.ts';
import { useLanguage } from './language.ts';

interface Props {
  line: ChatLine;
  onDelete: (reason: string) => void;
  /** The dialog closed, deleted or not. */
  onClose: () => void;
}

export function DeleteConfirm({ line, onDelete, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const { t } = useLanguage();
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const from = line.from ?? '';
  return (
    <dialog ref={dialog} class="delete-confirm" aria-labelledby="delete-confirm-title" aria-describedby="delete-confirm-note" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          // Deleted meanwhile (by its sender, another operator): nothing left to do.
          if (!line.redacted) onDelete(reason);
          dialog.current?.close();
        }}
      >
        <h2 id="delete-confirm-title">{t('web.messages.deleteConfirmTitle', { from })}</h2>
        <blockquote class="delete-confirm-text">{plainText(line.text)}</blockquote>
        <p id="delete-confirm-note">{t('web.messages.deleteConfirmNote')}</p>
        <label>
          {t('web.messages.deleteReason')}
          <input name="reason" value={reason} autofocus onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <div class="delete-confirm-actions">
          <button type="submit">{t('web.messages.deleteConfirm')}</button>
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('web.messages.deleteCancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
