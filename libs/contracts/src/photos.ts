// Your own photos (`POST /api/sessions/:id/photos`): a zip of class folders unpacked into the
// session's workspace, where the example notebook's own-data path trains on them.

/** The workspace folder uploads land in (`/data/my-photos/<class>/<photo>` in a session). */
export const OWN_PHOTOS_FOLDER = 'my-photos';
/** Each class needs at least this many readable photos: 5-fold cross-validation scores every class in each fold. */
export const MIN_PHOTOS_PER_CLASS = 5;

export interface PhotoClassCount {
  name: string;
  /** Photos this upload added (or replaced, by name). */
  added: number;
  /** Photos the class folder holds now, this upload's and earlier ones'. */
  total: number;
}

export interface PhotoUploadView {
  folder: string;
  classes: PhotoClassCount[];
  /** `cat/notes.txt: not an image (JPEG, PNG or WebP expected)`, one per file left out. */
  refused: string[];
  /** System files skipped without comment (`__MACOSX/`, `.DS_Store`, other dot-files). */
  ignored: number;
}
