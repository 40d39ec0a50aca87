import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'trialhub:public';
/** The route needs no logged-in user. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
