import { NameField } from './user-fields.js';

/** What users may change on their own account; anything else (role, emailVerified, …) is a 400. */
export class UpdateMeDto {
  @NameField()
  name: string;
}
