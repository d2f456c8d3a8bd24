import SHIPPED from '../../../config/roles.json';
import { InvalidRolesError, MAX_ROLES, normalizeRoles, parseRoleMap, RoleMapError, scopeOf } from '../../../lib/authz/roles';

const errorOf = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
};

describe('the role map', () => {
  it('ships admin with the contract\'s permissions, and user granting nothing', () => {
    const map = parseRoleMap(SHIPPED);
    expect(map.grantedBy('admin')).toEqual(['audit:read', 'clients:read', 'clients:write', 'users:read', 'users:write']);
    expect(map.grantedBy('user')).toEqual([]);
    expect(map.roles).toEqual(['admin', 'user']);
  });

  it('gives the permissions of several roles sorted and each once, with what the implicit user role grants', () => {
    // Arrange
    const map = parseRoleMap({ admin: ['users:write', 'users:read'], support: ['users:read', 'tickets:*'], user: ['profile:read'] });
    // Act / Assert
    expect(map.permissionsOf(['support', 'admin'])).toEqual(['profile:read', 'tickets:*', 'users:read', 'users:write']);
    expect(map.permissionsOf([])).toEqual(['profile:read']);
    expect(scopeOf(map, ['support'])).toBe('profile:read tickets:* users:read');
  });

  it('grants nothing for a role it does not know, and warns once per role', () => {
    // Arrange
    const warned: string[] = [];
    const map = parseRoleMap({ admin: ['users:read'] }, (role) => warned.push(role));
    // Act
    const granted = [map.permissionsOf(['ghost']), map.permissionsOf(['ghost', 'admin']), map.permissionsOf(['phantom'])];
    // Assert
    expect(granted).toEqual([[], ['users:read'], []]);
    expect(warned).toEqual(['ghost', 'phantom']);
  });

  it.each([
    ['a role name with a capital', { admin: [], Admin: [] }, 'Admin'],
    ['a role name of 33 characters', { admin: [], ['r'.repeat(33)]: [] }, 'r'.repeat(33)],
    ['a permission with a space', { admin: ['users read'] }, 'admin.0'],
    ['a permission with an empty part after the colon', { admin: ['users:'] }, 'admin.0'],
    ['permissions that are not a list', { admin: 'users:read' }, 'admin'],
    ['a map without admin', { support: [] }, 'admin'],
  ])('refuses %s at start, naming the entry (RoleMapError)', (_name, raw, named) => {
    const error = errorOf(() => parseRoleMap(raw));
    expect(error).toBeInstanceOf(RoleMapError);
    expect((error as Error).message).toContain(named);
  });
});

describe('an account\'s list of roles', () => {
  it('is sorted and each role once', () => {
    expect(normalizeRoles(['support', 'admin', 'support'])).toEqual(['admin', 'support']);
    expect(normalizeRoles([])).toEqual([]);
  });

  it('holds at most 16 roles', () => {
    const sixteen = Array.from({ length: MAX_ROLES }, (_, index) => `r${index}`);
    expect(normalizeRoles(sixteen)).toHaveLength(16);
    expect(errorOf(() => normalizeRoles([...sixteen, 'r16']))).toMatchObject({ name: 'InvalidRolesError', code: 'too_many' });
  });

  it.each([
    ['not a list', 'admin', 'not_a_list'],
    ['a number in it', [7], 'invalid_role'],
    ['a capital letter', ['Admin'], 'invalid_role'],
    ['a leading digit', ['1admin'], 'invalid_role'],
    ['33 characters', ['a'.repeat(33)], 'invalid_role'],
  ])('refuses %s (InvalidRolesError)', (_name, roles, code) => {
    const error = errorOf(() => normalizeRoles(roles));
    expect(error).toBeInstanceOf(InvalidRolesError);
    expect(error).toMatchObject({ code });
  });
});
