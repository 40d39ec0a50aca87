import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { databaseInputError } from './database-input-error';
import { apiValidationPipe } from './validation.pipe';

class QuotaDto {
  @ApiPropertyOptional({ nullable: true, description: 'null = unlimited' }) @IsOptional() @IsInt() limit?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsString() name?: string;
}

const body = { type: 'body' as const, metatype: QuotaDto };

class IdDto {
  @IsUUID('all', { message: 'The id must be a UUID.' }) id: string;
}
const param = { type: 'param' as const, metatype: IdDto };
const ID = '0b6f3c2e-5d7a-4c1b-9e8f-2a3b4c5d6e7f';

describe('the validation pipe and its nets', () => {
  it('lets null into a field only where the field documents it', async () => {
    const pipe = apiValidationPipe();
    await expect(pipe.transform({ limit: null }, body)).resolves.toMatchObject({ limit: null });
    await expect(pipe.transform({ name: null }, body)).rejects.toMatchObject({ response: { message: 'name may not be null: leave it out, or send a value.' } });
    await expect(pipe.transform({ name: 'a' }, body)).resolves.toMatchObject({ name: 'a' });
  });

  it('remembers path parameters that passed, and still refuses every bad one, before and after', async () => {
    const pipe = apiValidationPipe();
    await expect(pipe.transform({ id: 'nope' }, param)).rejects.toMatchObject({ response: { message: 'The id must be a UUID.' } });
    const first = await pipe.transform({ id: ID }, param);
    const second = await pipe.transform({ id: ID }, param);
    expect(first).toBeInstanceOf(IdDto);
    expect(second).toBeInstanceOf(IdDto);
    expect(second).toEqual({ id: ID });
    // A copy each time: one handler changing its DTO does not change the next request's.
    expect(second).not.toBe(first);
    await expect(pipe.transform({ id: 'nope' }, param)).rejects.toMatchObject({ response: { message: 'The id must be a UUID.' } });
    await expect(pipe.transform({ id: ID, extra: 'x' }, param)).rejects.toMatchObject({ response: { message: 'Unknown field "extra": remove it.' } });
    await expect(pipe.transform({ id: ID }, param)).resolves.toEqual({ id: ID });
  });

  it('answers PostgreSQL data exceptions (SQLSTATE 22…) as 400 and leaves every other error alone', () => {
    const invalidUuid = { message: 'x', driverError: { code: '22P02', message: 'invalid input syntax for type uuid: "zzz"' } };
    expect(databaseInputError(invalidUuid)?.getStatus()).toBe(400);
    expect(databaseInputError(invalidUuid)?.message).toMatch(/invalid input syntax for type uuid: "zzz"/);
    expect(databaseInputError({ code: '22003', message: 'value out of range' })?.getStatus()).toBe(400);
    expect(databaseInputError({ code: '23505' })).toBeNull();
    expect(databaseInputError({ code: '57P01' })).toBeNull();
    expect(databaseInputError(new Error('boom'))).toBeNull();
  });
});
