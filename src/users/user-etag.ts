import { entityTag } from '../common/http/conditional-requests.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import type { User } from './entities/user.entity.js';

/**
 * The strong `ETag` of a user's representation: the hash of the JSON clients receive, so that it
 * changes exactly when what they see changes (a password change, which they do not see, keeps it).
 */
export function userETag(user: User, representation = UserResponseDto.from(user)): string {
  return entityTag(JSON.stringify(representation));
}
